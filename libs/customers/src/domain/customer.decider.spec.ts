import { PersonalDataPolicy, type JsonObject } from '#event-store';
import { NotFoundError, RuleViolationError, fold } from '#domain';
import { EVENT_SCHEMA_VERSION, domainPersonalData, domainUpcasters, schemaVersionOf } from '#event-catalog';
import { givenFor } from '#testing';
import {
  CUSTOMER_EVENT_SCHEMA_VERSION,
  CUSTOMER_EVENT_TYPES,
  customerDecider,
  customerIdOfStream,
  customerPersonalData,
  customerStream,
  customerUpcasters,
  initialCustomerState,
  toCustomerEvent,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerEventType,
  type CustomerState,
} from './index.js';

// ---- given / when / then ------------------------------------------------------------------------

const given = givenFor(customerDecider);

// ---- fixtures -----------------------------------------------------------------------------------

const ID = 'cust-1';
const at = (day: number, time = '10:00:00') => `2024-05-${String(day).padStart(2, '0')}T${time}.000Z`;

const registered = (stage: 'lead' | 'prospect' | 'customer' = 'lead'): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: {
    customerId: ID,
    stage,
    source: 'web_form',
    contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 0000', address: { city: 'London', country: 'GB' } },
    company: { name: 'Analytical Engines Ltd', personInCharge: 'Charles Babbage' },
    demographics: { birthYear: 1985, ageBand: '35-44' },
    tags: ['vip'],
    ownerRepId: 'rep-1',
    registeredAt: at(1),
  },
});

const purchased = (orderId = 'order-1'): CustomerEvent => ({
  type: 'PurchaseRecorded',
  data: {
    orderId,
    lines: [
      { lineNo: 1, productSku: 'SKU-A', quantity: 3, unitPriceMinor: 1000, currency: 'EUR' },
      { lineNo: 2, productSku: 'SKU-B', quantity: 1, unitPriceMinor: 2500, currency: 'EUR' },
    ],
    currency: 'EUR',
    totalMinor: 5500,
    repId: 'rep-1',
    purchasedAt: at(5),
  },
});

const refunded = (refundId: string, lines: { lineNo: number; quantity: number; amountMinor: number }[]): CustomerEvent => ({
  type: 'RefundRecorded',
  data: {
    refundId,
    orderId: 'order-1',
    lines,
    currency: 'EUR',
    totalMinor: lines.reduce((sum, line) => sum + line.amountMinor, 0),
    refundedAt: at(6),
  },
});

const contractRecorded = (contractId = 'k-1'): CustomerEvent => ({
  type: 'ContractRecorded',
  data: {
    contractId,
    kind: 'own',
    title: 'Support',
    startsOn: '2024-06-01',
    endsOn: '2025-05-31',
    valueMinor: 120000,
    currency: 'EUR',
    terms: 'Net 30',
    followUpLeadDays: 60,
    recordedAt: at(7),
  },
});

const erased: CustomerEvent = { type: 'CustomerErased', data: { erasedAt: at(20), reason: 'gdpr_request' } };

const logCall = (overrides: Partial<Extract<CustomerCommand, { type: 'LogCall' }>> = {}): CustomerCommand => ({
  type: 'LogCall',
  customerId: ID,
  callId: 'call-1',
  direction: 'outbound',
  durationSeconds: 125,
  outcome: 'interested',
  repId: 'rep-1',
  summary: 'Wants a demo',
  occurredAt: at(3),
  ...overrides,
});

const purchase = (lines: unknown[], orderId = 'order-2'): CustomerCommand => ({
  type: 'RecordPurchase',
  customerId: ID,
  orderId,
  lines: lines as Extract<CustomerCommand, { type: 'RecordPurchase' }>['lines'],
  purchasedAt: at(8),
});

const refund = (lines: { lineNo: number; quantity: number; amountMinor?: number }[], refundId = 'refund-9', orderId = 'order-1'): CustomerCommand => ({
  type: 'RecordRefund',
  customerId: ID,
  refundId,
  orderId,
  lines,
  refundedAt: at(9),
});

const contract = (overrides: Partial<Extract<CustomerCommand, { type: 'RecordContract' }>> = {}): CustomerCommand => ({
  type: 'RecordContract',
  customerId: ID,
  contractId: 'k-2',
  kind: 'own',
  startsOn: '2024-07-01',
  endsOn: '2025-06-30',
  recordedAt: at(10),
  ...overrides,
});

const revise = (changes: Extract<CustomerCommand, { type: 'ReviseContract' }>['changes'], contractId = 'k-1'): CustomerCommand => ({
  type: 'ReviseContract',
  customerId: ID,
  contractId,
  changes,
  revisedAt: at(11),
});

const terminate = (contractId = 'k-1'): CustomerCommand => ({
  type: 'TerminateContract',
  customerId: ID,
  contractId,
  terminatedOn: '2024-12-31',
  reason: 'moved to competitor',
  terminatedAt: at(12),
});

const followUpDue = (contractRevision = 0, contractId = 'k-1'): CustomerCommand => ({
  type: 'RecordFollowUpDue',
  customerId: ID,
  contractId,
  contractRevision,
  dueOn: '2025-04-01',
  taskId: 'task-k-1',
  dueAt: '2025-04-01T00:00:00.000Z',
});

/** An order placed four days before order-1: with it, the next purchase is expected on day 9. */
const earlierPurchase: CustomerEvent = { ...purchased('order-0'), data: { ...(purchased('order-0').data as object), purchasedAt: at(1) } } as CustomerEvent;

const repurchaseReminder = (expectedOn = '2024-05-09'): CustomerCommand => ({
  type: 'RecordRepurchaseReminder',
  customerId: ID,
  expectedOn,
  taskId: 'task-r-1',
  dueAt: '2024-05-16T00:00:00.000Z',
});

/** One command of every kind but RegisterCustomer, valid on a registered customer with order-0, order-1 and k-1. */
const everyOtherCommand: CustomerCommand[] = [
  { type: 'UpdateProfile', customerId: ID, contact: { phone: '+44 1' }, updatedAt: at(2) },
  { type: 'AssignOwner', customerId: ID, repId: 'rep-2', assignedAt: at(2) },
  { type: 'ConvertLead', customerId: ID, convertedAt: at(2) },
  logCall(),
  { type: 'LogEmail', customerId: ID, emailId: 'e-1', direction: 'inbound', subject: 'Hi', occurredAt: at(2) },
  { type: 'LogMeeting', customerId: ID, meetingId: 'm-1', kind: 'visit', durationMinutes: 30, repId: 'rep-1', occurredAt: at(2) },
  { type: 'RecordClick', customerId: ID, clickId: 'cl-1', kind: 'email_link', url: 'https://x.test', occurredAt: at(2) },
  { type: 'RecordSiteVisit', customerId: ID, visitId: 'v-1', url: 'https://x.test', occurredAt: at(2) },
  { type: 'RecordFormSubmission', customerId: ID, submissionId: 's-1', formId: 'f-1', fields: {}, occurredAt: at(2) },
  purchase([{ productSku: 'A', quantity: 1, unitPriceMinor: 1, currency: 'EUR' }]),
  refund([{ lineNo: 1, quantity: 1 }]),
  contract(),
  revise({ terms: 'Net 60' }),
  terminate(),
  followUpDue(),
  repurchaseReminder(),
  { type: 'AddNote', customerId: ID, noteId: 'n-1', text: 'hello', addedAt: at(2) },
  { type: 'AttachDocument', customerId: ID, documentId: 'd-1', kind: 'other', fileName: 'a.pdf', contentType: 'application/pdf', sizeBytes: 1, storageRef: 's3://a', attachedAt: at(2) },
  { type: 'EraseCustomer', customerId: ID, erasedAt: at(2) },
];

// ---- RegisterCustomer ---------------------------------------------------------------------------

describe('RegisterCustomer', () => {
  it('registers a lead with defaults and without absent optional fields', () => {
    given([])
      .when({ type: 'RegisterCustomer', customerId: ID, source: 'manual', contact: { name: 'Ada' }, registeredAt: at(1) })
      .then([{ type: 'CustomerRegistered', data: { customerId: ID, stage: 'lead', source: 'manual', contact: { name: 'Ada' }, tags: [], registeredAt: at(1) } }]);
  });

  it('keeps the full profile, trims, dedupes tags in order, drops blanks and undefined, normalises the time to UTC', () => {
    given([])
      .when({
        type: 'RegisterCustomer',
        customerId: ID,
        stage: 'prospect',
        source: 'import',
        contact: { name: '  Ada Lovelace ', email: 'ada@example.com', phone: undefined, address: { street: '', city: 'London', postalCode: undefined } },
        company: { name: 'AE Ltd', department: ' ', personInCharge: 'Charles', title: 'CTO' },
        demographics: { birthYear: 1985, ageBand: '35-44', gender: 'female', region: 'EU', industry: 'Computing', companySize: '11-50' },
        tags: ['vip', ' b2b', 'vip', '', 'b2b', 'beta'],
        ownerRepId: 'rep-7',
        registeredAt: '2024-05-01T12:00:00+02:00',
      })
      .then([
        {
          type: 'CustomerRegistered',
          data: {
            customerId: ID,
            stage: 'prospect',
            source: 'import',
            contact: { name: 'Ada Lovelace', email: 'ada@example.com', address: { city: 'London' } },
            company: { name: 'AE Ltd', personInCharge: 'Charles', title: 'CTO' },
            demographics: { birthYear: 1985, ageBand: '35-44', gender: 'female', region: 'EU', industry: 'Computing', companySize: '11-50' },
            tags: ['vip', 'b2b', 'beta'],
            ownerRepId: 'rep-7',
            registeredAt: '2024-05-01T10:00:00.000Z',
          },
        },
      ]);
  });

  it('carries the anonymous visitor and the campaign, ad and affiliate site that brought them, when given', () => {
    const base = { type: 'RegisterCustomer', customerId: ID, source: 'web_form', contact: { name: 'Ada' }, registeredAt: at(1) } as const;
    given([])
      .when({ ...base, visitorId: 'v-7f3a', campaignId: 'spring', adId: 'ad-1', affiliateSiteId: 'site-9' })
      .then([
        {
          type: 'CustomerRegistered',
          data: {
            customerId: ID,
            stage: 'lead',
            source: 'web_form',
            contact: { name: 'Ada' },
            tags: [],
            visitorId: 'v-7f3a',
            campaignId: 'spring',
            adId: 'ad-1',
            affiliateSiteId: 'site-9',
            registeredAt: at(1),
          },
        },
      ]);
    // Blank or null ids are not given.
    given([])
      .when({ ...base, visitorId: ' ', campaignId: null as unknown as string, adId: undefined, affiliateSiteId: 'site-9' })
      .then([
        {
          type: 'CustomerRegistered',
          data: { customerId: ID, stage: 'lead', source: 'web_form', contact: { name: 'Ada' }, tags: [], affiliateSiteId: 'site-9', registeredAt: at(1) },
        },
      ]);
  });

  it.each(['visitorId', 'campaignId', 'adId', 'affiliateSiteId'])('refuses a %s that is not text', (field) => {
    given([])
      .when({ type: 'RegisterCustomer', customerId: ID, source: 'web_form', contact: { name: 'Ada' }, registeredAt: at(1), [field]: 42 } as CustomerCommand)
      .thenThrows(RuleViolationError, 'invalid_value', field);
  });

  it('refuses to register twice', () => {
    given([registered()])
      .when({ type: 'RegisterCustomer', customerId: ID, source: 'api', contact: { name: 'Ada' }, registeredAt: at(2) })
      .thenThrows(RuleViolationError, 'customer_already_registered', 'customerId');
  });

  it('refuses an erased customer', () => {
    given([registered(), erased])
      .when({ type: 'RegisterCustomer', customerId: ID, source: 'api', contact: { name: 'Ada' }, registeredAt: at(21) })
      .thenThrows(RuleViolationError, 'customer_erased');
  });

  it('needs a name', () => {
    given([])
      .when({ type: 'RegisterCustomer', customerId: ID, source: 'api', contact: { name: '   ' }, registeredAt: at(1) })
      .thenThrows(RuleViolationError, 'name_required', 'contact.name');
  });

  it.each([
    ['registeredAt', { registeredAt: '2024-05-01T10:00:00' }, 'invalid_timestamp'],
    ['registeredAt', { registeredAt: '2024-02-30T10:00:00Z' }, 'invalid_timestamp'],
    ['source', { source: 'fax' }, 'invalid_value'],
    ['stage', { stage: 'vip' }, 'invalid_value'],
    ['contact.email', { contact: { name: 'Ada', email: 'not-an-address' } }, 'invalid_email'],
    ['demographics.birthYear', { demographics: { birthYear: 2030 } }, 'invalid_value'],
    ['demographics.birthYear', { demographics: { birthYear: 1985.5 } }, 'not_an_integer'],
    ['demographics.ageBand', { demographics: { ageBand: '30-40' } }, 'invalid_value'],
    ['demographics.companySize', { demographics: { companySize: 'huge' } }, 'invalid_value'],
  ])('checks %s (%j)', (field, overrides, reason) => {
    const command = { type: 'RegisterCustomer', customerId: ID, source: 'api', contact: { name: 'Ada' }, registeredAt: at(1), ...overrides };
    given([])
      .when(command as CustomerCommand)
      .thenThrows(RuleViolationError, reason, field);
  });
});

// ---- rules common to every command on a registered customer ---------------------------------------

describe('any command but RegisterCustomer', () => {
  it.each(everyOtherCommand.map((command) => [command.type, command]))('%s on an unknown customer is 404 customer_not_found', (_, command) => {
    given([]).when(command).thenThrows(NotFoundError, 'customer_not_found');
  });

  it.each(everyOtherCommand.map((command) => [command.type, command]))('%s on an erased customer is customer_erased', (_, command) => {
    given([registered(), purchased(), contractRecorded(), erased])
      .when(command)
      .thenThrows(RuleViolationError, 'customer_erased');
  });

  it.each(everyOtherCommand.map((command) => [command.type, command]))('%s succeeds on a registered customer (fixture sanity)', (_, command) => {
    const events = customerDecider.decide(command, fold(customerDecider, [registered(), earlierPurchase, purchased(), contractRecorded()]));
    expect(events).toHaveLength(1);
  });

  it('refuses a command decided on another customer’s stream (a command-side bug)', () => {
    expect(() => customerDecider.decide({ ...logCall(), customerId: 'someone-else' }, fold(customerDecider, [registered()]))).toThrow(
      /decided on the stream of customer cust-1/,
    );
  });
});

// ---- UpdateProfile ------------------------------------------------------------------------------

describe('UpdateProfile', () => {
  it('merges field by field, clears with null and carries only what changed', () => {
    given([registered()])
      .when({
        type: 'UpdateProfile',
        customerId: ID,
        contact: { name: 'Ada Lovelace', email: 'ada@lovelace.test', phone: null, address: { street: '12 St James Sq', country: null } },
        company: { name: 'Analytical Engines Ltd', department: 'R&D', personInCharge: null },
        demographics: { ageBand: '35-44', industry: 'Computing', birthYear: null },
        tags: ['vip', 'b2b'],
        updatedAt: at(2),
      })
      .then([
        {
          type: 'ProfileUpdated',
          data: {
            contact: { email: 'ada@lovelace.test', phone: null, address: { city: 'London', street: '12 St James Sq' } },
            company: { department: 'R&D', personInCharge: null },
            demographics: { industry: 'Computing', birthYear: null },
            tags: ['vip', 'b2b'],
            updatedAt: at(2),
          },
        },
      ]);
  });

  it('clears the whole address with null, and a blank value clears like null', () => {
    given([registered()])
      .when({ type: 'UpdateProfile', customerId: ID, contact: { address: null, email: '  ' }, updatedAt: at(2) })
      .then([{ type: 'ProfileUpdated', data: { contact: { address: null, email: null }, updatedAt: at(2) } }]);
  });

  it('clearing every address field clears the address', () => {
    given([registered()])
      .when({ type: 'UpdateProfile', customerId: ID, contact: { address: { city: null, country: null } }, updatedAt: at(2) })
      .then([{ type: 'ProfileUpdated', data: { contact: { address: null }, updatedAt: at(2) } }]);
  });

  it('replaces the tags (deduped)', () => {
    given([registered()])
      .when({ type: 'UpdateProfile', customerId: ID, tags: ['new', 'new'], updatedAt: at(2) })
      .then([{ type: 'ProfileUpdated', data: { tags: ['new'], updatedAt: at(2) } }]);
  });

  it('refuses an update that changes nothing (same values, clearing what is absent, same tags)', () => {
    given([registered()])
      .when({
        type: 'UpdateProfile',
        customerId: ID,
        contact: { name: ' Ada Lovelace ', email: 'ada@example.com', address: { city: 'London', street: null } },
        company: { title: null },
        demographics: { birthYear: 1985, gender: null },
        tags: ['vip', 'vip'],
        updatedAt: at(2),
      })
      .thenThrows(RuleViolationError, 'no_changes');
  });

  it('refuses an empty update', () => {
    given([registered()]).when({ type: 'UpdateProfile', customerId: ID, updatedAt: at(2) }).thenThrows(RuleViolationError, 'no_changes');
  });

  it('cannot clear the name', () => {
    given([registered()])
      .when({ type: 'UpdateProfile', customerId: ID, contact: { name: null as unknown as string }, updatedAt: at(2) })
      .thenThrows(RuleViolationError, 'name_required', 'contact.name');
  });

  it('checks the values it sets', () => {
    given([registered()])
      .when({ type: 'UpdateProfile', customerId: ID, demographics: { companySize: '5' as '1-10' }, updatedAt: at(2) })
      .thenThrows(RuleViolationError, 'invalid_value', 'demographics.companySize');
  });
});

// ---- AssignOwner, ConvertLead -------------------------------------------------------------------

describe('AssignOwner', () => {
  it('assigns a first owner', () => {
    const unowned: CustomerEvent = { type: 'CustomerRegistered', data: { customerId: ID, stage: 'lead', source: 'api', contact: { name: 'A' }, tags: [], registeredAt: at(1) } };
    given([unowned])
      .when({ type: 'AssignOwner', customerId: ID, repId: 'rep-2', assignedAt: at(2) })
      .then([{ type: 'OwnerAssigned', data: { repId: 'rep-2', assignedAt: at(2) } }]);
  });

  it('reassigns, naming the previous owner', () => {
    given([registered()])
      .when({ type: 'AssignOwner', customerId: ID, repId: 'rep-2', assignedAt: at(2) })
      .then([{ type: 'OwnerAssigned', data: { repId: 'rep-2', previousRepId: 'rep-1', assignedAt: at(2) } }]);
  });

  it('refuses to assign the current owner', () => {
    given([registered()])
      .when({ type: 'AssignOwner', customerId: ID, repId: 'rep-1', assignedAt: at(2) })
      .thenThrows(RuleViolationError, 'no_changes', 'repId');
  });
});

describe('ConvertLead', () => {
  it.each(['lead', 'prospect'] as const)('converts a %s', (stage) => {
    given([registered(stage)])
      .when({ type: 'ConvertLead', customerId: ID, convertedAt: at(4) })
      .then([{ type: 'LeadConverted', data: { fromStage: stage, convertedAt: at(4) } }]);
  });

  it('converts once', () => {
    given([registered(), { type: 'LeadConverted', data: { fromStage: 'lead', convertedAt: at(4) } }])
      .when({ type: 'ConvertLead', customerId: ID, convertedAt: at(5) })
      .thenThrows(RuleViolationError, 'already_converted');
  });

  it('refuses a customer registered as a customer', () => {
    given([registered('customer')]).when({ type: 'ConvertLead', customerId: ID, convertedAt: at(5) }).thenThrows(RuleViolationError, 'already_converted');
  });
});

// ---- calls, e-mails, meetings -------------------------------------------------------------------

describe('LogCall', () => {
  it('logs a call', () => {
    given([registered()])
      .when(logCall())
      .then([
        {
          type: 'CallLogged',
          data: { callId: 'call-1', direction: 'outbound', durationSeconds: 125, outcome: 'interested', repId: 'rep-1', summary: 'Wants a demo', occurredAt: at(3) },
        },
      ]);
  });

  it('logs a call without summary, of zero seconds', () => {
    given([registered()])
      .when(logCall({ summary: undefined, durationSeconds: 0, outcome: 'no_answer' }))
      .then([{ type: 'CallLogged', data: { callId: 'call-1', direction: 'outbound', durationSeconds: 0, outcome: 'no_answer', repId: 'rep-1', occurredAt: at(3) } }]);
  });

  it.each([
    [{ durationSeconds: -1 }, 'invalid_value', 'durationSeconds'],
    [{ durationSeconds: 1.5 }, 'not_an_integer', 'durationSeconds'],
    [{ outcome: 'hung_up' }, 'invalid_value', 'outcome'],
    [{ direction: 'sideways' }, 'invalid_value', 'direction'],
    [{ repId: '' }, 'required', 'repId'],
    [{ callId: undefined }, 'required', 'callId'],
    [{ occurredAt: 'yesterday' }, 'invalid_timestamp', 'occurredAt'],
  ])('refuses %j', (overrides, reason, field) => {
    given([registered()])
      .when(logCall(overrides as object))
      .thenThrows(RuleViolationError, reason, field);
  });
});

describe('LogEmail', () => {
  it('logs an e-mail, an empty subject included', () => {
    given([registered()])
      .when({ type: 'LogEmail', customerId: ID, emailId: 'e-1', direction: 'inbound', subject: '', summary: 'Asks for price', repId: undefined, occurredAt: at(3) })
      .then([{ type: 'EmailLogged', data: { emailId: 'e-1', direction: 'inbound', subject: '', summary: 'Asks for price', occurredAt: at(3) } }]);
  });

  it('needs a subject and a direction', () => {
    given([registered()])
      .when({ type: 'LogEmail', customerId: ID, emailId: 'e-1', direction: 'inbound', occurredAt: at(3) } as unknown as CustomerCommand)
      .thenThrows(RuleViolationError, 'required', 'subject');
    given([registered()])
      .when({ type: 'LogEmail', customerId: ID, emailId: 'e-1', direction: 'up', subject: 'x', occurredAt: at(3) } as unknown as CustomerCommand)
      .thenThrows(RuleViolationError, 'invalid_value', 'direction');
  });
});

describe('LogMeeting', () => {
  it('logs a visit', () => {
    given([registered()])
      .when({ type: 'LogMeeting', customerId: ID, meetingId: 'm-1', kind: 'visit', location: 'Their office', durationMinutes: 45, repId: 'rep-1', occurredAt: at(3) })
      .then([{ type: 'MeetingLogged', data: { meetingId: 'm-1', kind: 'visit', location: 'Their office', durationMinutes: 45, repId: 'rep-1', occurredAt: at(3) } }]);
  });

  it('refuses an unknown kind and a negative duration', () => {
    const base = { type: 'LogMeeting', customerId: ID, meetingId: 'm-1', kind: 'meeting', durationMinutes: 45, repId: 'rep-1', occurredAt: at(3) };
    given([registered()])
      .when({ ...base, kind: 'lunch' } as unknown as CustomerCommand)
      .thenThrows(RuleViolationError, 'invalid_value', 'kind');
    given([registered()])
      .when({ ...base, durationMinutes: -5 } as unknown as CustomerCommand)
      .thenThrows(RuleViolationError, 'invalid_value', 'durationMinutes');
  });
});

// ---- marketing touches --------------------------------------------------------------------------

describe('RecordClick', () => {
  const click = { type: 'RecordClick', customerId: ID, clickId: 'cl-1', url: 'https://shop.test/?utm_source=x', occurredAt: at(3) } as const;

  it('records an ad click with a campaign and UTM parameters (blank ones dropped)', () => {
    given([registered()])
      .when({ ...click, kind: 'ad', campaignId: 'camp-1', utm: { source: 'google', medium: 'cpc', term: '' } })
      .then([
        {
          type: 'LeadClickRecorded',
          data: { clickId: 'cl-1', kind: 'ad', campaignId: 'camp-1', url: click.url, utm: { source: 'google', medium: 'cpc' }, occurredAt: at(3) },
        },
      ]);
  });

  it('records an affiliate click and an e-mail link click', () => {
    given([registered()])
      .when({ ...click, kind: 'affiliate_link', affiliateSiteId: 'site-9' })
      .then([{ type: 'LeadClickRecorded', data: { clickId: 'cl-1', kind: 'affiliate_link', affiliateSiteId: 'site-9', url: click.url, occurredAt: at(3) } }]);
    given([registered()])
      .when({ ...click, kind: 'email_link', utm: {} })
      .then([{ type: 'LeadClickRecorded', data: { clickId: 'cl-1', kind: 'email_link', url: click.url, occurredAt: at(3) } }]);
  });

  it('an ad click needs adId or campaignId', () => {
    given([registered()])
      .when({ ...click, kind: 'ad' })
      .thenThrows(RuleViolationError, 'ad_or_campaign_required', 'adId');
    given([registered()])
      .when({ ...click, kind: 'ad', adId: 'ad-1' })
      .then([{ type: 'LeadClickRecorded', data: { clickId: 'cl-1', kind: 'ad', adId: 'ad-1', url: click.url, occurredAt: at(3) } }]);
  });

  it('an affiliate click needs affiliateSiteId', () => {
    given([registered()])
      .when({ ...click, kind: 'affiliate_link', campaignId: 'camp-1' })
      .thenThrows(RuleViolationError, 'affiliate_site_required', 'affiliateSiteId');
  });

  it('needs a url', () => {
    given([registered()])
      .when({ ...click, kind: 'email_link', url: '' })
      .thenThrows(RuleViolationError, 'required', 'url');
  });
});

describe('RecordSiteVisit', () => {
  it('records a visit', () => {
    given([registered()])
      .when({ type: 'RecordSiteVisit', customerId: ID, visitId: 'v-1', url: 'https://shop.test/p', referrer: 'https://search.test', pageCount: 4, durationSeconds: 300, campaignId: 'camp-1', occurredAt: at(3) })
      .then([
        {
          type: 'SiteVisitRecorded',
          data: { visitId: 'v-1', url: 'https://shop.test/p', referrer: 'https://search.test', pageCount: 4, durationSeconds: 300, campaignId: 'camp-1', occurredAt: at(3) },
        },
      ]);
  });

  it('records the ad and affiliate site that brought the visit', () => {
    given([registered()])
      .when({ type: 'RecordSiteVisit', customerId: ID, visitId: 'v-1', url: 'https://shop.test/p', adId: 'ad-1', affiliateSiteId: 'site-9', occurredAt: at(3) })
      .then([{ type: 'SiteVisitRecorded', data: { visitId: 'v-1', url: 'https://shop.test/p', adId: 'ad-1', affiliateSiteId: 'site-9', occurredAt: at(3) } }]);
    given([registered()])
      .when({ type: 'RecordSiteVisit', customerId: ID, visitId: 'v-1', url: 'https://shop.test/p', adId: ['ad-1'] as unknown as string, occurredAt: at(3) })
      .thenThrows(RuleViolationError, 'invalid_value', 'adId');
  });

  it('refuses a negative page count', () => {
    given([registered()])
      .when({ type: 'RecordSiteVisit', customerId: ID, visitId: 'v-1', url: 'https://shop.test/p', pageCount: -1, occurredAt: at(3) })
      .thenThrows(RuleViolationError, 'invalid_value', 'pageCount');
  });
});

describe('RecordFormSubmission', () => {
  it('records a submission', () => {
    given([registered()])
      .when({
        type: 'RecordFormSubmission',
        customerId: ID,
        submissionId: 's-1',
        formId: 'contact-us',
        fields: { message: 'Call me', phone: '+44 1' },
        affiliateSiteId: 'site-9',
        utm: { campaign: 'spring' },
        occurredAt: at(3),
      })
      .then([
        {
          type: 'FormSubmissionRecorded',
          data: { submissionId: 's-1', formId: 'contact-us', fields: { message: 'Call me', phone: '+44 1' }, affiliateSiteId: 'site-9', utm: { campaign: 'spring' }, occurredAt: at(3) },
        },
      ]);
  });

  it('records the anonymous visitor who submitted it, when given', () => {
    const submission = { type: 'RecordFormSubmission', customerId: ID, submissionId: 's-1', formId: 'f', fields: {}, occurredAt: at(3) } as const;
    given([registered()])
      .when({ ...submission, visitorId: 'v-7f3a' })
      .then([{ type: 'FormSubmissionRecorded', data: { submissionId: 's-1', formId: 'f', fields: {}, visitorId: 'v-7f3a', occurredAt: at(3) } }]);
    given([registered()])
      .when({ ...submission, visitorId: '' })
      .then([{ type: 'FormSubmissionRecorded', data: { submissionId: 's-1', formId: 'f', fields: {}, occurredAt: at(3) } }]);
    given([registered()])
      .when({ ...submission, visitorId: 7 as unknown as string })
      .thenThrows(RuleViolationError, 'invalid_value', 'visitorId');
  });

  it('keeps any field name, __proto__ included', () => {
    const fields = JSON.parse('{"__proto__":"x","name":"y"}') as Record<string, string>;
    const [event] = given([registered()])
      .when({ type: 'RecordFormSubmission', customerId: ID, submissionId: 's-1', formId: 'f', fields, occurredAt: at(3) })
      .then([{ type: 'FormSubmissionRecorded', data: { submissionId: 's-1', formId: 'f', fields, occurredAt: at(3) } }]);
    expect(Object.keys((event.data as { fields: object }).fields)).toEqual(['__proto__', 'name']);
  });

  it('refuses non-text field values', () => {
    given([registered()])
      .when({ type: 'RecordFormSubmission', customerId: ID, submissionId: 's-1', formId: 'f', fields: { age: 42 as unknown as string }, occurredAt: at(3) })
      .thenThrows(RuleViolationError, 'invalid_value', 'fields.age');
  });
});

// ---- purchases and refunds ----------------------------------------------------------------------

describe('RecordPurchase', () => {
  it('numbers the lines, computes the total, upper-cases the currency', () => {
    given([registered()])
      .when({
        type: 'RecordPurchase',
        customerId: ID,
        orderId: 'order-2',
        lines: [
          { productSku: 'SKU-A', quantity: 2, unitPriceMinor: 1999, currency: 'eur' },
          { productSku: 'SKU-FREE', quantity: 1, unitPriceMinor: 0, currency: 'EUR' },
        ],
        repId: 'rep-1',
        purchasedAt: at(8),
        specialInstructions: 'Leave at the back door',
      })
      .then([
        {
          type: 'PurchaseRecorded',
          data: {
            orderId: 'order-2',
            lines: [
              { lineNo: 1, productSku: 'SKU-A', quantity: 2, unitPriceMinor: 1999, currency: 'EUR' },
              { lineNo: 2, productSku: 'SKU-FREE', quantity: 1, unitPriceMinor: 0, currency: 'EUR' },
            ],
            currency: 'EUR',
            totalMinor: 3998,
            repId: 'rep-1',
            purchasedAt: at(8),
            specialInstructions: 'Leave at the back door',
          },
        },
      ]);
  });

  const line = { productSku: 'SKU-A', quantity: 1, unitPriceMinor: 100, currency: 'EUR' };

  it('carries a line’s product category, trimmed, only when one is given', () => {
    given([registered()])
      .when(purchase([{ ...line, category: '  books ' }, { ...line, category: ' ' }, { ...line, category: null }, line]))
      .then([
        {
          type: 'PurchaseRecorded',
          data: {
            orderId: 'order-2',
            lines: [
              { lineNo: 1, ...line, category: 'books' },
              { lineNo: 2, ...line },
              { lineNo: 3, ...line },
              { lineNo: 4, ...line },
            ],
            currency: 'EUR',
            totalMinor: 400,
            purchasedAt: at(8),
          },
        },
      ]);
  });

  it.each([
    ['no lines', [], 'purchase_without_lines', 'lines'],
    ['a zero quantity', [line, { ...line, quantity: 0 }], 'quantity_not_positive', 'lines[1].quantity'],
    ['a negative quantity', [{ ...line, quantity: -2 }], 'quantity_not_positive', 'lines[0].quantity'],
    ['a fractional quantity', [{ ...line, quantity: 1.5 }], 'not_an_integer', 'lines[0].quantity'],
    ['a negative price', [{ ...line, unitPriceMinor: -1 }], 'price_negative', 'lines[0].unitPriceMinor'],
    ['a price with decimals (not minor units)', [{ ...line, unitPriceMinor: 9.99 }], 'not_an_integer', 'lines[0].unitPriceMinor'],
    ['mixed currencies', [line, line, { ...line, currency: 'USD' }], 'mixed_currencies', 'lines[2].currency'],
    ['a bad currency code', [{ ...line, currency: 'EURO' }], 'invalid_currency', 'lines[0].currency'],
    ['no SKU', [{ ...line, productSku: ' ' }], 'required', 'lines[0].productSku'],
    ['a category that is not text', [{ ...line, category: 7 }], 'invalid_value', 'lines[0].category'],
    ['a total beyond safe integers', [{ ...line, quantity: 3, unitPriceMinor: Number.MAX_SAFE_INTEGER }], 'amount_too_large', 'lines'],
  ])('refuses %s', (_, lines, reason, field) => {
    given([registered()]).when(purchase(lines)).thenThrows(RuleViolationError, reason, field);
  });

  it('never records an order twice', () => {
    given([registered(), purchased('order-1')])
      .when(purchase([line], 'order-1'))
      .thenThrows(RuleViolationError, 'order_already_recorded', 'orderId');
  });

  it('takes ids that are names of Object.prototype members for what they are', () => {
    given([registered()])
      .when(purchase([line], 'constructor'))
      .then([
        { type: 'PurchaseRecorded', data: { orderId: 'constructor', lines: [{ lineNo: 1, ...line }], currency: 'EUR', totalMinor: 100, purchasedAt: at(8) } },
      ]);
  });
});

describe('RecordRefund', () => {
  const history = [registered(), purchased()];

  it('refunds a line at its unit price by default', () => {
    given(history)
      .when({ ...refund([{ lineNo: 1, quantity: 2 }]), reason: 'damaged' } as CustomerCommand)
      .then([
        {
          type: 'RefundRecorded',
          data: { refundId: 'refund-9', orderId: 'order-1', lines: [{ lineNo: 1, quantity: 2, amountMinor: 2000 }], currency: 'EUR', totalMinor: 2000, reason: 'damaged', refundedAt: at(9) },
        },
      ]);
  });

  it('refunds a given amount over several lines', () => {
    given(history)
      .when(refund([{ lineNo: 2, quantity: 1, amountMinor: 1000 }, { lineNo: 1, quantity: 3 }]))
      .then([
        {
          type: 'RefundRecorded',
          data: {
            refundId: 'refund-9',
            orderId: 'order-1',
            lines: [
              { lineNo: 2, quantity: 1, amountMinor: 1000 },
              { lineNo: 1, quantity: 3, amountMinor: 3000 },
            ],
            currency: 'EUR',
            totalMinor: 4000,
            refundedAt: at(9),
          },
        },
      ]);
  });

  it('partial refunds add up to what was bought, and no further', () => {
    const partials = [...history, refunded('r-1', [{ lineNo: 1, quantity: 1, amountMinor: 1000 }]), refunded('r-2', [{ lineNo: 1, quantity: 1, amountMinor: 1000 }])];
    given(partials)
      .when(refund([{ lineNo: 1, quantity: 1 }], 'r-3'))
      .then([
        {
          type: 'RefundRecorded',
          data: { refundId: 'r-3', orderId: 'order-1', lines: [{ lineNo: 1, quantity: 1, amountMinor: 1000 }], currency: 'EUR', totalMinor: 1000, refundedAt: at(9) },
        },
      ]);
    given([...partials, refunded('r-3', [{ lineNo: 1, quantity: 1, amountMinor: 1000 }])])
      .when(refund([{ lineNo: 1, quantity: 1 }], 'r-4'))
      .thenThrows(RuleViolationError, 'refund_exceeds_purchase', 'lines[0].quantity');
  });

  it('refuses more than was bought', () => {
    given(history)
      .when(refund([{ lineNo: 1, quantity: 4 }]))
      .thenThrows(RuleViolationError, 'refund_exceeds_purchase', 'lines[0].quantity');
    given([...history, refunded('r-1', [{ lineNo: 1, quantity: 2, amountMinor: 2000 }])])
      .when(refund([{ lineNo: 1, quantity: 2 }]))
      .thenThrows(RuleViolationError, 'refund_exceeds_purchase', 'lines[0].quantity');
  });

  it('refuses more money than was paid for the line, refunds so far included', () => {
    given(history)
      .when(refund([{ lineNo: 2, quantity: 1, amountMinor: 2501 }]))
      .thenThrows(RuleViolationError, 'refund_exceeds_purchase', 'lines[0].amountMinor');
    // 1 of 3 items refunded at 2500 (goodwill) leaves 500 of the 3000 paid for line 1.
    given([...history, refunded('r-1', [{ lineNo: 1, quantity: 1, amountMinor: 2500 }])])
      .when(refund([{ lineNo: 1, quantity: 1 }]))
      .thenThrows(RuleViolationError, 'refund_exceeds_purchase', 'lines[0].amountMinor');
  });

  it('refuses an unknown order, an unknown line, a line twice, no lines, a zero quantity, a negative amount', () => {
    given(history).when(refund([{ lineNo: 1, quantity: 1 }], 'r', 'order-404')).thenThrows(RuleViolationError, 'unknown_order', 'orderId');
    given(history).when(refund([{ lineNo: 1, quantity: 1 }], 'r', 'toString')).thenThrows(RuleViolationError, 'unknown_order', 'orderId');
    given(history).when(refund([{ lineNo: 3, quantity: 1 }])).thenThrows(RuleViolationError, 'unknown_order_line', 'lines[0].lineNo');
    given(history)
      .when(refund([{ lineNo: 1, quantity: 1 }, { lineNo: 1, quantity: 1 }]))
      .thenThrows(RuleViolationError, 'duplicate_refund_line', 'lines[1].lineNo');
    given(history).when(refund([])).thenThrows(RuleViolationError, 'refund_without_lines', 'lines');
    given(history).when(refund([{ lineNo: 1, quantity: 0 }])).thenThrows(RuleViolationError, 'quantity_not_positive', 'lines[0].quantity');
    given(history).when(refund([{ lineNo: 1, quantity: 1, amountMinor: -1 }])).thenThrows(RuleViolationError, 'amount_negative', 'lines[0].amountMinor');
  });

  it('refuses a refund id used before', () => {
    given([...history, refunded('r-1', [{ lineNo: 1, quantity: 1, amountMinor: 1000 }])])
      .when(refund([{ lineNo: 2, quantity: 1 }], 'r-1'))
      .thenThrows(RuleViolationError, 'refund_already_recorded', 'refundId');
  });
});

// ---- contracts ----------------------------------------------------------------------------------

describe('RecordContract', () => {
  it('records an own contract', () => {
    given([registered()])
      .when(contract({ title: 'Maintenance', valueMinor: 50000, currency: 'gbp', terms: 'Annual', followUpLeadDays: 30 }))
      .then([
        {
          type: 'ContractRecorded',
          data: {
            contractId: 'k-2',
            kind: 'own',
            title: 'Maintenance',
            startsOn: '2024-07-01',
            endsOn: '2025-06-30',
            valueMinor: 50000,
            currency: 'GBP',
            terms: 'Annual',
            followUpLeadDays: 30,
            recordedAt: at(10),
          },
        },
      ]);
  });

  it('records a competitor contract with its vendor', () => {
    given([registered()])
      .when(contract({ kind: 'competitor', vendorName: ' Rival Inc ' }))
      .then([{ type: 'ContractRecorded', data: { contractId: 'k-2', kind: 'competitor', vendorName: 'Rival Inc', startsOn: '2024-07-01', endsOn: '2025-06-30', recordedAt: at(10) } }]);
  });

  it.each([
    ['a competitor contract without vendor', { kind: 'competitor' }, 'vendor_required', 'vendorName'],
    ['an end before the start', { endsOn: '2024-06-30' }, 'contract_ends_before_start', 'endsOn'],
    ['an end on the start day', { endsOn: '2024-07-01' }, 'contract_ends_before_start', 'endsOn'],
    ['a date that does not exist', { endsOn: '2025-02-29' }, 'invalid_date', 'endsOn'],
    ['a timestamp for a date', { startsOn: '2024-07-01T00:00:00Z' }, 'invalid_date', 'startsOn'],
    ['a value without currency', { valueMinor: 100 }, 'currency_required', 'currency'],
    ['a negative value', { valueMinor: -100, currency: 'EUR' }, 'amount_negative', 'valueMinor'],
    ['a negative follow-up lead', { followUpLeadDays: -1 }, 'invalid_value', 'followUpLeadDays'],
  ])('refuses %s', (_, overrides, reason, field) => {
    given([registered()])
      .when(contract(overrides as object))
      .thenThrows(RuleViolationError, reason, field);
  });

  it('refuses a contract id recorded before', () => {
    given([registered(), contractRecorded('k-2')])
      .when(contract())
      .thenThrows(RuleViolationError, 'contract_already_recorded', 'contractId');
  });
});

describe('ReviseContract', () => {
  const history = [registered(), contractRecorded()];
  const revised = (revision: number, changes: object): CustomerEvent => ({
    type: 'ContractRevised',
    data: { contractId: 'k-1', revision, changes, revisedAt: at(11) },
  });

  it('numbers revisions per contract and carries only what changed', () => {
    given(history)
      .when(revise({ endsOn: '2026-05-31', valueMinor: 120000, terms: 'Net 45' }))
      .then([revised(1, { endsOn: '2026-05-31', terms: 'Net 45' })]);
    given([...history, revised(1, { endsOn: '2026-05-31' })])
      .when(revise({ valueMinor: 150000, currency: 'usd' }))
      .then([revised(2, { valueMinor: 150000, currency: 'USD' })]);
    given([...history, revised(1, { endsOn: '2026-05-31' }), revised(2, { terms: 'x' }), contractRecorded('k-2')])
      .when(revise({ terms: 'y' }, 'k-2'))
      .then([{ type: 'ContractRevised', data: { contractId: 'k-2', revision: 1, changes: { terms: 'y' }, revisedAt: at(11) } }]);
  });

  it('clears optional terms with null', () => {
    given(history)
      .when(revise({ terms: null, followUpLeadDays: null, valueMinor: null, currency: null }))
      .then([revised(1, { terms: null, followUpLeadDays: null, valueMinor: null, currency: null })]);
  });

  it('checks the dates as they would be after the revision', () => {
    given(history)
      .when(revise({ startsOn: '2025-06-01' }))
      .thenThrows(RuleViolationError, 'contract_ends_before_start', 'changes.startsOn');
    given(history)
      .when(revise({ endsOn: '2024-05-01' }))
      .thenThrows(RuleViolationError, 'contract_ends_before_start', 'changes.endsOn');
    // Both moved together is fine; the earlier revision's end date counts.
    given([...history, revised(1, { endsOn: '2024-12-31' })])
      .when(revise({ startsOn: '2025-01-01' }))
      .thenThrows(RuleViolationError, 'contract_ends_before_start', 'changes.startsOn');
    given(history)
      .when(revise({ startsOn: '2025-07-01', endsOn: '2026-06-30' }))
      .then([revised(1, { startsOn: '2025-07-01', endsOn: '2026-06-30' })]);
  });

  it('keeps a value with a currency and dates set', () => {
    given(history).when(revise({ currency: null })).thenThrows(RuleViolationError, 'currency_required', 'changes.currency');
    given(history).when(revise({ endsOn: null as unknown as string })).thenThrows(RuleViolationError, 'invalid_date', 'changes.endsOn');
    given(history).when(revise({ endsOn: '2025-13-01' })).thenThrows(RuleViolationError, 'invalid_date', 'changes.endsOn');
  });

  it('refuses a revision that changes nothing', () => {
    given(history).when(revise({ terms: 'Net 30', startsOn: '2024-06-01' })).thenThrows(RuleViolationError, 'no_changes');
    given(history).when(revise({})).thenThrows(RuleViolationError, 'no_changes');
  });

  it('refuses an unknown contract (404) and a terminated one', () => {
    given(history).when(revise({ terms: 'x' }, 'k-404')).thenThrows(NotFoundError, 'contract_not_found', 'contractId');
    given(history).when(revise({ terms: 'x' }, 'hasOwnProperty')).thenThrows(NotFoundError, 'contract_not_found', 'contractId');
    given([...history, { type: 'ContractTerminated', data: { contractId: 'k-1', terminatedOn: '2024-12-31', terminatedAt: at(12) } }])
      .when(revise({ terms: 'x' }))
      .thenThrows(RuleViolationError, 'contract_terminated', 'contractId');
  });
});

describe('TerminateContract', () => {
  const history = [registered(), contractRecorded()];
  const terminated: CustomerEvent = {
    type: 'ContractTerminated',
    data: { contractId: 'k-1', terminatedOn: '2024-12-31', reason: 'moved to competitor', terminatedAt: at(12) },
  };

  it('terminates', () => {
    given(history).when(terminate()).then([terminated]);
  });

  it('terminates once', () => {
    given([...history, terminated]).when(terminate()).thenThrows(RuleViolationError, 'contract_terminated', 'contractId');
  });

  it('refuses an unknown contract (404) and a bad date', () => {
    given(history).when(terminate('k-404')).thenThrows(NotFoundError, 'contract_not_found', 'contractId');
    given(history)
      .when({ ...terminate(), terminatedOn: '31/12/2024' } as CustomerCommand)
      .thenThrows(RuleViolationError, 'invalid_date', 'terminatedOn');
  });
});

describe('RecordFollowUpDue', () => {
  const history = [registered(), contractRecorded()];
  const due = (contractRevision: number, endsOn: string, owner: object = { repId: 'rep-1', taskId: 'task-k-1' }): CustomerEvent => ({
    type: 'FollowUpDue',
    data: { contractId: 'k-1', contractRevision, endsOn, dueOn: '2025-04-01', ...owner, dueAt: '2025-04-01T00:00:00.000Z' },
  });
  const revised = (revision: number, changes: object): CustomerEvent => ({ type: 'ContractRevised', data: { contractId: 'k-1', revision, changes, revisedAt: at(11) } });

  it("records the follow-up with the owner's task, once per scheduling revision", () => {
    given(history).when(followUpDue()).then([due(0, '2025-05-31')]);
    given([...history, due(0, '2025-05-31')])
      .when(followUpDue())
      .thenThrows(RuleViolationError, 'follow_up_already_due', 'contractRevision');
  });

  it('names no rep or task when nobody owns the customer', () => {
    const unowned: CustomerEvent = { ...registered(), data: { ...(registered().data as object), ownerRepId: undefined } } as CustomerEvent;
    given([JSON.parse(JSON.stringify(unowned)), contractRecorded()]).when(followUpDue()).then([due(0, '2025-05-31', {})]);
  });

  it('follows the revision that last moved the end or lead time; other revisions keep the schedule', () => {
    const moved = [...history, revised(1, { endsOn: '2025-08-31' })];
    given(moved).when(followUpDue(0)).thenThrows(RuleViolationError, 'follow_up_rescheduled', 'contractRevision');
    given(moved).when(followUpDue(1)).then([due(1, '2025-08-31')]);
    given([...moved, revised(2, { terms: 'Net 60' })]).when(followUpDue(1)).then([due(1, '2025-08-31')]);
    given([...moved, revised(2, { followUpLeadDays: 10 })]).when(followUpDue(1)).thenThrows(RuleViolationError, 'follow_up_rescheduled', 'contractRevision');
    // A new end date after the follow-up fell due schedules another.
    given([...moved, due(1, '2025-08-31'), revised(2, { endsOn: '2026-08-31' })]).when(followUpDue(2)).then([due(2, '2026-08-31')]);
  });

  it('refuses a terminated or unknown contract', () => {
    given([...history, { type: 'ContractTerminated', data: { contractId: 'k-1', terminatedOn: '2024-12-31', terminatedAt: at(12) } }])
      .when(followUpDue())
      .thenThrows(RuleViolationError, 'contract_terminated', 'contractId');
    given(history).when(followUpDue(0, 'k-404')).thenThrows(NotFoundError, 'contract_not_found', 'contractId');
  });
});

describe('RecordRepurchaseReminder', () => {
  const history = [registered(), earlierPurchase, purchased()];
  const reminded = (owner: object = { repId: 'rep-1', taskId: 'task-r-1' }): CustomerEvent => ({
    type: 'RepurchaseReminderDue',
    data: { expectedOn: '2024-05-09', lastPurchaseOn: '2024-05-05', medianIntervalDays: 4, purchaseDays: 2, ...owner, dueAt: '2024-05-16T00:00:00.000Z' },
  });
  const bought = (orderId: string, day: number): CustomerEvent => ({ ...purchased(orderId), data: { ...(purchased(orderId).data as object), purchasedAt: at(day) } }) as CustomerEvent;

  it("records the reminder with the owner's task, once per expected day", () => {
    given(history).when(repurchaseReminder()).then([reminded()]);
    given([...history, reminded()]).when(repurchaseReminder()).thenThrows(RuleViolationError, 'repurchase_already_reminded', 'expectedOn');
  });

  it('names no rep or task when nobody owns the customer', () => {
    const unowned = JSON.parse(JSON.stringify({ ...registered(), data: { ...(registered().data as object), ownerRepId: undefined } })) as CustomerEvent;
    given([unowned, earlierPurchase, purchased()]).when(repurchaseReminder()).then([reminded({})]);
  });

  it('refuses an expectation the history no longer holds: a purchase since, or one back-dated', () => {
    given([...history, bought('order-2', 9)])
      .when(repurchaseReminder())
      .thenThrows(RuleViolationError, 'repurchase_expectation_changed', 'expectedOn');
    // Day 1, 3, 5: every 2 days, expected on day 7.
    given([...history, bought('order-3', 3)])
      .when(repurchaseReminder())
      .thenThrows(RuleViolationError, 'repurchase_expectation_changed', 'expectedOn');
    given([...history, bought('order-3', 3)])
      .when(repurchaseReminder('2024-05-07'))
      .then([{ ...reminded(), data: { ...(reminded().data as object), expectedOn: '2024-05-07', medianIntervalDays: 2, purchaseDays: 3 } } as CustomerEvent]);
  });

  it('reminds again of a later expectation once the customer bought and lapsed again', () => {
    given([...history, reminded(), bought('order-2', 12)])
      .when(repurchaseReminder('2024-05-18'))
      // Intervals 4 and 7 days: 5.5, half up 6.
      .then([{ ...reminded(), data: { ...(reminded().data as object), expectedOn: '2024-05-18', lastPurchaseOn: '2024-05-12', medianIntervalDays: 6, purchaseDays: 3 } } as CustomerEvent]);
  });

  it('refuses a history of fewer than two purchase days (orders on one day are one)', () => {
    given([registered()]).when(repurchaseReminder()).thenThrows(RuleViolationError, 'purchase_history_too_short', 'expectedOn');
    given([registered(), purchased(), bought('order-2', 5)])
      .when(repurchaseReminder())
      .thenThrows(RuleViolationError, 'purchase_history_too_short', 'expectedOn');
  });

  it('refuses a malformed expected day', () => {
    given(history).when(repurchaseReminder('9 May')).thenThrows(RuleViolationError, 'invalid_date', 'expectedOn');
  });
});

// ---- notes, documents, erasure ------------------------------------------------------------------

describe('AddNote', () => {
  it('adds a note, its text kept as written', () => {
    given([registered()])
      .when({ type: 'AddNote', customerId: ID, noteId: 'n-1', text: '  Prefers mornings\n', authorRepId: 'rep-1', addedAt: at(3) })
      .then([{ type: 'NoteAdded', data: { noteId: 'n-1', text: '  Prefers mornings\n', authorRepId: 'rep-1', addedAt: at(3) } }]);
  });

  it.each(['', ' \n\t '])('refuses an empty note (%j)', (text) => {
    given([registered()]).when({ type: 'AddNote', customerId: ID, noteId: 'n-1', text, addedAt: at(3) }).thenThrows(RuleViolationError, 'empty_note', 'text');
  });
});

describe('AttachDocument', () => {
  const attach = (overrides: object = {}): CustomerCommand =>
    ({
      type: 'AttachDocument',
      customerId: ID,
      documentId: 'd-1',
      kind: 'contract',
      fileName: 'support-contract.pdf',
      contentType: 'application/pdf',
      sizeBytes: 48213,
      storageRef: 's3://crm-docs/d-1',
      contractId: 'k-1',
      attachedAt: at(13),
      ...overrides,
    }) as CustomerCommand;

  it('attaches a document to a contract', () => {
    given([registered(), contractRecorded()])
      .when(attach())
      .then([
        {
          type: 'DocumentAttached',
          data: {
            documentId: 'd-1',
            kind: 'contract',
            fileName: 'support-contract.pdf',
            contentType: 'application/pdf',
            sizeBytes: 48213,
            storageRef: 's3://crm-docs/d-1',
            contractId: 'k-1',
            attachedAt: at(13),
          },
        },
      ]);
  });

  it('attaches a document to no contract', () => {
    const [event] = given([registered()])
      .when(attach({ contractId: undefined, kind: 'proposal' }))
      .then([
        {
          type: 'DocumentAttached',
          data: { documentId: 'd-1', kind: 'proposal', fileName: 'support-contract.pdf', contentType: 'application/pdf', sizeBytes: 48213, storageRef: 's3://crm-docs/d-1', attachedAt: at(13) },
        },
      ]);
    expect(Object.hasOwn(event.data, 'contractId')).toBe(false);
  });

  it('refuses an unknown contract, a document id used before, a bad kind, a negative size', () => {
    given([registered()]).when(attach()).thenThrows(RuleViolationError, 'unknown_contract', 'contractId');
    given([registered(), contractRecorded(), { type: 'DocumentAttached', data: { documentId: 'd-1', kind: 'other', fileName: 'a', contentType: 'b', sizeBytes: 1, storageRef: 'c', attachedAt: at(2) } }])
      .when(attach())
      .thenThrows(RuleViolationError, 'document_already_attached', 'documentId');
    given([registered(), contractRecorded()]).when(attach({ kind: 'memo' })).thenThrows(RuleViolationError, 'invalid_value', 'kind');
    given([registered(), contractRecorded()]).when(attach({ sizeBytes: -1 })).thenThrows(RuleViolationError, 'invalid_value', 'sizeBytes');
  });
});

describe('EraseCustomer', () => {
  it('records the erasure', () => {
    given([registered()])
      .when({ type: 'EraseCustomer', customerId: ID, reason: 'gdpr_request', erasedAt: at(20) })
      .then([erased]);
  });

  it('erases once', () => {
    given([registered(), erased]).when({ type: 'EraseCustomer', customerId: ID, erasedAt: at(21) }).thenThrows(RuleViolationError, 'customer_erased');
  });

  it('cannot erase a customer that does not exist', () => {
    given([]).when({ type: 'EraseCustomer', customerId: ID, erasedAt: at(21) }).thenThrows(NotFoundError, 'customer_not_found');
  });
});

// ---- evolve -------------------------------------------------------------------------------------

describe('evolve', () => {
  const history: CustomerEvent[] = [
    registered(),
    { type: 'LeadClickRecorded', data: { clickId: 'cl-1', kind: 'ad', adId: 'ad-1', url: 'https://x.test', occurredAt: at(1, '09:00:00') } },
    { type: 'SiteVisitRecorded', data: { visitId: 'v-1', url: 'https://x.test', occurredAt: at(1, '09:01:00') } },
    { type: 'FormSubmissionRecorded', data: { submissionId: 's-1', formId: 'f', fields: { a: 'b' }, occurredAt: at(1, '09:05:00') } },
    {
      type: 'ProfileUpdated',
      data: { contact: { phone: null, address: { city: 'Paris' } }, company: { personInCharge: null, title: 'CEO' }, demographics: { ageBand: null }, tags: ['vip', 'b2b'], updatedAt: at(2) },
    },
    { type: 'OwnerAssigned', data: { repId: 'rep-2', previousRepId: 'rep-1', assignedAt: at(2) } },
    { type: 'CallLogged', data: { callId: 'c-1', direction: 'outbound', durationSeconds: 60, outcome: 'interested', repId: 'rep-2', occurredAt: at(3) } },
    { type: 'EmailLogged', data: { emailId: 'e-1', direction: 'inbound', subject: 'Re: offer', occurredAt: at(3, '11:00:00') } },
    { type: 'MeetingLogged', data: { meetingId: 'm-1', kind: 'meeting', durationMinutes: 30, repId: 'rep-2', occurredAt: at(4) } },
    // Logged late: an earlier interaction does not move lastInteractionAt back.
    { type: 'CallLogged', data: { callId: 'c-0', direction: 'inbound', durationSeconds: 5, outcome: 'busy', repId: 'rep-2', occurredAt: at(2) } },
    { type: 'LeadConverted', data: { fromStage: 'lead', convertedAt: at(5) } },
    purchased(),
    refunded('r-1', [{ lineNo: 1, quantity: 1, amountMinor: 1000 }]),
    refunded('r-2', [
      { lineNo: 1, quantity: 1, amountMinor: 800 },
      { lineNo: 2, quantity: 1, amountMinor: 2500 },
    ]),
    contractRecorded(),
    { type: 'ContractRevised', data: { contractId: 'k-1', revision: 1, changes: { endsOn: '2026-05-31', terms: null }, revisedAt: at(11) } },
    {
      type: 'FollowUpDue',
      data: { contractId: 'k-1', contractRevision: 1, endsOn: '2026-05-31', dueOn: '2026-04-01', repId: 'rep-2', taskId: 't-9', dueAt: '2026-04-01T00:00:00.000Z' },
    },
    { type: 'ContractRevised', data: { contractId: 'k-1', revision: 2, changes: { valueMinor: 130000 }, revisedAt: at(12) } },
    {
      type: 'RepurchaseReminderDue',
      data: { expectedOn: '2026-06-01', lastPurchaseOn: '2026-05-02', medianIntervalDays: 30, purchaseDays: 2, repId: 'rep-2', taskId: 't-10', dueAt: '2026-06-08T00:00:00.000Z' },
    },
    { type: 'ContractRecorded', data: { contractId: 'k-2', kind: 'competitor', vendorName: 'Rival', startsOn: '2023-01-01', endsOn: '2024-12-31', recordedAt: at(7) } },
    { type: 'ContractTerminated', data: { contractId: 'k-2', terminatedOn: '2024-06-30', reason: 'switched to us', terminatedAt: at(13) } },
    { type: 'NoteAdded', data: { noteId: 'n-1', text: 'hi', addedAt: at(14) } },
    { type: 'DocumentAttached', data: { documentId: 'd-1', kind: 'contract', fileName: 'k.pdf', contentType: 'application/pdf', sizeBytes: 10, storageRef: 's3://k', contractId: 'k-1', attachedAt: at(14) } },
  ];

  const expected: CustomerState = {
    registered: true,
    erased: false,
    customerId: ID,
    stage: 'customer',
    source: 'web_form',
    ownerRepId: 'rep-2',
    contact: { name: 'Ada Lovelace', email: 'ada@example.com', address: { city: 'Paris' } },
    company: { name: 'Analytical Engines Ltd', title: 'CEO' },
    demographics: { birthYear: 1985 },
    tags: ['vip', 'b2b'],
    registeredAt: at(1),
    convertedAt: at(5),
    erasedAt: null,
    lastInteractionAt: at(5),
    interactions: { calls: 2, emails: 1, meetings: 1, clicks: 1, siteVisits: 1, formSubmissions: 1, purchases: 1, refunds: 2, notes: 1, documents: 1 },
    orders: {
      'order-1': {
        orderId: 'order-1',
        currency: 'EUR',
        totalMinor: 5500,
        refundedMinor: 4300,
        repId: 'rep-1',
        purchasedAt: at(5),
        lines: [
          { lineNo: 1, productSku: 'SKU-A', quantity: 3, unitPriceMinor: 1000, refundedQuantity: 2, refundedMinor: 1800 },
          { lineNo: 2, productSku: 'SKU-B', quantity: 1, unitPriceMinor: 2500, refundedQuantity: 1, refundedMinor: 2500 },
        ],
      },
    },
    refundIds: ['r-1', 'r-2'],
    contracts: {
      'k-1': {
        contractId: 'k-1',
        kind: 'own',
        vendorName: null,
        title: 'Support',
        startsOn: '2024-06-01',
        endsOn: '2026-05-31',
        valueMinor: 130000,
        currency: 'EUR',
        terms: null,
        followUpLeadDays: 60,
        revision: 2,
        followUpRevision: 1,
        followUpDueRevision: 1,
        terminated: false,
        terminatedOn: null,
        terminationReason: null,
        recordedAt: at(7),
        lastRevisedAt: at(12),
      },
      'k-2': {
        contractId: 'k-2',
        kind: 'competitor',
        vendorName: 'Rival',
        title: null,
        startsOn: '2023-01-01',
        endsOn: '2024-12-31',
        valueMinor: null,
        currency: null,
        terms: null,
        followUpLeadDays: null,
        revision: 0,
        followUpRevision: 0,
        followUpDueRevision: null,
        terminated: true,
        terminatedOn: '2024-06-30',
        terminationReason: 'switched to us',
        recordedAt: at(7),
        lastRevisedAt: null,
      },
    },
    repurchaseRemindersOn: ['2026-06-01'],
    documentIds: ['d-1'],
  };

  it('folds a full history into the expected state', () => {
    expect(fold(customerDecider, history)).toStrictEqual(expected);
  });

  it('gives a JSON state that survives a round trip, without changing the initial state', () => {
    const before = structuredClone(initialCustomerState);
    const state = fold(customerDecider, history);
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
    expect(initialCustomerState).toStrictEqual(before);
    expect(Object.isFrozen(initialCustomerState.interactions)).toBe(true);
  });

  it('folds a state "as of" a point in the history', () => {
    const asOf = fold(customerDecider, history.slice(0, 5));
    expect(asOf).toMatchObject({ stage: 'lead', ownerRepId: 'rep-1', lastInteractionAt: at(1, '09:05:00'), orders: {}, contracts: {} });
    expect(asOf.interactions).toStrictEqual({ ...initialCustomerState.interactions, clicks: 1, siteVisits: 1, formSubmissions: 1 });
  });

  it('drops the personal profile on erasure and keeps what rules and reports need', () => {
    const state = fold(customerDecider, [...history, erased]);
    expect(state).toStrictEqual({ ...expected, erased: true, erasedAt: at(20), contact: null, company: { name: 'Analytical Engines Ltd', title: 'CEO' } });
  });

  it('folds events whose personal values were erased ({ $erased: true }) without failing', () => {
    const gone = { $erased: true } as unknown as string;
    const history: CustomerEvent[] = [
      { type: 'CustomerRegistered', data: { customerId: ID, stage: 'lead', source: 'api', contact: { name: gone, email: gone, address: gone as never }, tags: [], registeredAt: at(1) } },
      { type: 'ProfileUpdated', data: { contact: { phone: gone }, updatedAt: at(2) } },
      erased,
    ];
    expect(fold(customerDecider, history)).toMatchObject({ registered: true, erased: true, contact: null });
    // Without the erasure event (key deleted out of band), an address change still merges from nothing.
    given(history.slice(0, 2))
      .when({ type: 'UpdateProfile', customerId: ID, contact: { address: { city: 'Oslo' } }, updatedAt: at(3) })
      .then([{ type: 'ProfileUpdated', data: { contact: { address: { city: 'Oslo' } }, updatedAt: at(3) } }]);
  });

  it('skips event types it does not know', () => {
    const state = fold(customerDecider, [registered()]);
    expect(customerDecider.evolve(state, { type: 'FromTheFuture', data: {} } as unknown as CustomerEvent)).toBe(state);
    expect(toCustomerEvent({ type: 'FromTheFuture', data: {} })).toBeUndefined();
    expect(toCustomerEvent({ type: 'NoteAdded', data: { noteId: 'n' } })).toStrictEqual({ type: 'NoteAdded', data: { noteId: 'n' } });
  });
});

// ---- schema: personal data, versions, upcasters, streams -----------------------------------------

describe('customer event schema', () => {
  /** One event of each type with every optional field present, as decided from commands. */
  function fullSampleEvents(): CustomerEvent[] {
    const events: CustomerEvent[] = [];
    const run = (command: CustomerCommand) => events.push(...customerDecider.decide(command, fold(customerDecider, events)));
    run({
      type: 'RegisterCustomer',
      customerId: ID,
      source: 'api',
      contact: { name: 'A', email: 'a@b.c', phone: '1', address: { city: 'X' } },
      company: { name: 'C', personInCharge: 'P' },
      demographics: { gender: 'x' },
      tags: [],
      registeredAt: at(1),
    });
    run({ type: 'UpdateProfile', customerId: ID, contact: { name: 'B', email: 'b@b.c', phone: '2', address: { city: 'Y' } }, company: { personInCharge: 'Q' }, updatedAt: at(2) });
    // The personal fields are all optional but the name: give them all.
    const personal: Record<string, object> = {
      LogCall: { summary: 's' },
      LogEmail: { summary: 's' },
      LogMeeting: { summary: 's', location: 'l' },
      RecordFormSubmission: { fields: { a: 'b' } },
      RecordPurchase: { specialInstructions: 'i' },
    };
    const skipped = ['UpdateProfile', 'RecordRefund', 'ReviseContract', 'TerminateContract', 'RecordFollowUpDue', 'RecordRepurchaseReminder', 'EraseCustomer'];
    for (const command of everyOtherCommand.filter((candidate) => !skipped.includes(candidate.type))) {
      run({ ...command, ...personal[command.type] } as CustomerCommand);
    }
    return events;
  }

  it('classifies every string field of every event it writes', () => {
    const policy = new PersonalDataPolicy(customerPersonalData, { requireClassified: true });
    for (const event of fullSampleEvents()) expect([event.type, policy.unclassifiedFields(event.type, event.data as unknown as JsonObject)]).toEqual([event.type, []]);
    for (const [type, { personal }] of Object.entries(customerPersonalData)) expect(policy.fieldsOf(type)).toHaveLength(personal.length);
  });

  it('has a schema version for every event type, merged into the domain-wide schema', () => {
    expect(new Set(CUSTOMER_EVENT_TYPES).size).toBe(20);
    for (const type of CUSTOMER_EVENT_TYPES) {
      expect(CUSTOMER_EVENT_SCHEMA_VERSION[type]).toBe(1);
      expect(schemaVersionOf(type)).toBe(1);
    }
    expect(EVENT_SCHEMA_VERSION).toMatchObject(CUSTOMER_EVENT_SCHEMA_VERSION);
    expect(() => schemaVersionOf('Nope')).toThrow(/unknown event type/);
    for (const type of CUSTOMER_EVENT_TYPES) expect(domainPersonalData[type].personal).toEqual(customerPersonalData[type].personal);
    expect(customerUpcasters).toStrictEqual([]);
    expect(domainUpcasters).toStrictEqual(customerUpcasters);
    const personalTypes: string[] = Object.keys(customerPersonalData);
    expect(personalTypes.every((type) => CUSTOMER_EVENT_TYPES.includes(type as CustomerEventType))).toBe(true);
  });

  it('names streams customer-<id>', () => {
    expect(customerStream('42')).toBe('customer-42');
    expect(customerIdOfStream('customer-42')).toBe('42');
    expect(customerIdOfStream('rep-42')).toBeUndefined();
    expect(() => customerStream('')).toThrow();
  });
});
