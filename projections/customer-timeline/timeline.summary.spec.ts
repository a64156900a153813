import type { CustomerEvent } from '#customers/domain';
import { ERASED, type JsonObject } from '#event-store';
import { DOMAIN_PERSONAL_DATA } from '#event-catalog';
import { businessTime, money, oneLine, summarize } from './timeline.summary.js';

const at = '2026-11-20T14:30:00.000Z';

describe('timeline summaries', () => {
  it.each<[string, CustomerEvent]>([
    [
      'Registered as lead (API): Ada Lovelace, Analytical Engines Ltd',
      {
        type: 'CustomerRegistered',
        data: { customerId: 'c-1', stage: 'lead', source: 'api', contact: { name: 'Ada Lovelace' }, company: { name: 'Analytical Engines Ltd' }, tags: [], registeredAt: at },
      },
    ],
    [
      'Profile updated: phone, e-mail cleared, department, region, tags: vip, enterprise',
      {
        type: 'ProfileUpdated',
        data: { contact: { phone: '+1 555', email: null }, company: { department: 'Finance' }, demographics: { region: 'EU' }, tags: ['vip', 'enterprise'], updatedAt: at },
      },
    ],
    ['Owner assigned: rep-42 (was rep-17)', { type: 'OwnerAssigned', data: { repId: 'rep-42', previousRepId: 'rep-17', assignedAt: at } }],
    ['Converted from prospect to customer', { type: 'LeadConverted', data: { fromStage: 'prospect', convertedAt: at } }],
    [
      'Outbound call, 7 min, interested: Wants a proposal',
      {
        type: 'CallLogged',
        data: { callId: 'k1', direction: 'outbound', durationSeconds: 420, outcome: 'interested', repId: 'r', summary: 'Wants a\n proposal', occurredAt: at },
      },
    ],
    ['Inbound call, 45 s, no answer', { type: 'CallLogged', data: { callId: 'k2', direction: 'inbound', durationSeconds: 45, outcome: 'no_answer', repId: 'r', occurredAt: at } }],
    [
      'Inbound e-mail "Re: offer": Accepts the price',
      { type: 'EmailLogged', data: { emailId: 'e1', direction: 'inbound', subject: 'Re: offer', summary: 'Accepts the price', occurredAt: at } },
    ],
    [
      'Visit, 45 min at Customer site, Frankfurt: Demo',
      { type: 'MeetingLogged', data: { meetingId: 'm1', kind: 'visit', location: 'Customer site, Frankfurt', durationMinutes: 45, repId: 'r', summary: 'Demo', occurredAt: at } },
    ],
    [
      'Ad click: https://shop.example/x (campaign cmp-1)',
      { type: 'LeadClickRecorded', data: { clickId: 'x', kind: 'ad', campaignId: 'cmp-1', url: 'https://shop.example/x', occurredAt: at } },
    ],
    [
      'Site visit: https://shop.example/pricing, 3 pages, 2 min',
      { type: 'SiteVisitRecorded', data: { visitId: 'v', url: 'https://shop.example/pricing', pageCount: 3, durationSeconds: 130, occurredAt: at } },
    ],
    [
      'Form contact-us submitted (2 fields)',
      { type: 'FormSubmissionRecorded', data: { submissionId: 's', formId: 'contact-us', fields: { name: 'Ada', email: 'a@b.c' }, occurredAt: at } },
    ],
    [
      'Purchase order-42: 3 items, EUR 59.97',
      {
        type: 'PurchaseRecorded',
        data: {
          orderId: 'order-42',
          lines: [
            { lineNo: 1, productSku: 'A', quantity: 2, unitPriceMinor: 1999, currency: 'EUR' },
            { lineNo: 2, productSku: 'B', quantity: 1, unitPriceMinor: 1999, currency: 'EUR' },
          ],
          currency: 'EUR',
          totalMinor: 5997,
          purchasedAt: at,
        },
      },
    ],
    [
      'Refund of order order-42: 1 item, JPY 1200 (damaged)',
      {
        type: 'RefundRecorded',
        data: { refundId: 'r', orderId: 'order-42', lines: [{ lineNo: 1, quantity: 1, amountMinor: 1200 }], currency: 'JPY', totalMinor: 1200, reason: 'damaged', refundedAt: at },
      },
    ],
    [
      'Contract c-7 "Support" recorded: 2026-02-01 to 2027-01-31, EUR 1200.00',
      {
        type: 'ContractRecorded',
        data: { contractId: 'c-7', kind: 'own', title: 'Support', startsOn: '2026-02-01', endsOn: '2027-01-31', valueMinor: 120000, currency: 'EUR', recordedAt: at },
      },
    ],
    [
      'Competitor contract c-8 with Rival GmbH recorded: 2026-01-01 to 2026-12-31',
      { type: 'ContractRecorded', data: { contractId: 'c-8', kind: 'competitor', vendorName: 'Rival GmbH', startsOn: '2026-01-01', endsOn: '2026-12-31', recordedAt: at } },
    ],
    [
      'Contract c-7 revised (revision 2): ends 2027-01-31, value 5000 minor units, terms cleared, follow-up 30 days before the end',
      { type: 'ContractRevised', data: { contractId: 'c-7', revision: 2, changes: { endsOn: '2027-01-31', valueMinor: 5000, terms: null, followUpLeadDays: 30 }, revisedAt: at } },
    ],
    [
      'Contract c-7 terminated as of 2026-12-31: moved away',
      { type: 'ContractTerminated', data: { contractId: 'c-7', terminatedOn: '2026-12-31', reason: 'moved away', terminatedAt: at } },
    ],
    [
      'Follow-up due on 2026-12-01 for contract c-7 (ends 2026-12-31): task for rep rep-3',
      {
        type: 'FollowUpDue',
        data: { contractId: 'c-7', contractRevision: 1, endsOn: '2026-12-31', dueOn: '2026-12-01', repId: 'rep-3', taskId: 't-1', dueAt: at },
      },
    ],
    [
      'Follow-up due on 2026-12-01 for contract c-7 (ends 2026-12-31): no owner to assign a task to',
      { type: 'FollowUpDue', data: { contractId: 'c-7', contractRevision: 0, endsOn: '2026-12-31', dueOn: '2026-12-01', dueAt: at } },
    ],
    [
      'Repurchase overdue: expected on 2026-11-20 (every 30 days, last on 2026-10-21): task for rep rep-3',
      {
        type: 'RepurchaseReminderDue',
        data: { expectedOn: '2026-11-20', lastPurchaseOn: '2026-10-21', medianIntervalDays: 30, purchaseDays: 4, repId: 'rep-3', taskId: 't-2', dueAt: at },
      },
    ],
    [
      'Repurchase overdue: expected on 2026-11-20 (every 1 day, last on 2026-11-19): no owner to assign a task to',
      { type: 'RepurchaseReminderDue', data: { expectedOn: '2026-11-20', lastPurchaseOn: '2026-11-19', medianIntervalDays: 1, purchaseDays: 2, dueAt: at } },
    ],
    ['Note: Prefers mornings', { type: 'NoteAdded', data: { noteId: 'n', text: '  Prefers\tmornings ', addedAt: at } }],
    [
      'Proposal attached: offer.pdf, 120 kB',
      {
        type: 'DocumentAttached',
        data: { documentId: 'd', kind: 'proposal', fileName: 'offer.pdf', contentType: 'application/pdf', sizeBytes: 122880, storageRef: 's3://x', attachedAt: at },
      },
    ],
    ['Personal data erased', { type: 'CustomerErased', data: { erasedAt: at, reason: 'request of Ada Lovelace' } }],
  ])('%s', (expected, event) => {
    expect(summarize(event)).toBe(expected);
  });

  it('leaves out personal values that read as erased', () => {
    const erased = { ...ERASED } as unknown as string;
    expect(
      summarize({ type: 'CallLogged', data: { callId: 'k', direction: 'outbound', durationSeconds: 60, outcome: 'connected', repId: 'r', summary: erased, occurredAt: at } }),
    ).toBe('Outbound call, 1 min, connected');
    expect(summarize({ type: 'NoteAdded', data: { noteId: 'n', text: erased, addedAt: at } })).toBe('Note added');
    expect(
      summarize({
        type: 'CustomerRegistered',
        data: { customerId: 'c', stage: 'customer', source: 'web_form', contact: { name: erased }, tags: [], registeredAt: at },
      }),
    ).toBe('Registered as customer (web form)');
    expect(
      summarize({ type: 'FormSubmissionRecorded', data: { submissionId: 's', formId: 'f', fields: ERASED as unknown as Record<string, string>, occurredAt: at } }),
    ).toBe('Form f submitted');
  });

  it('erases exactly the personal fields that are present, null included', () => {
    const data: JsonObject = {
      customerId: 'c',
      contact: { name: 'Ada', email: null, address: { city: 'London' } },
      company: { name: 'AE Ltd', personInCharge: 'Charles' },
      tags: ['vip'],
    };
    expect(DOMAIN_PERSONAL_DATA.erased('CustomerRegistered', data)).toEqual({
      customerId: 'c',
      contact: { name: ERASED, email: ERASED, address: ERASED },
      company: { name: ERASED, personInCharge: ERASED },
      tags: [ERASED],
    });
    expect(data.contact).toEqual({ name: 'Ada', email: null, address: { city: 'London' } });
    const order: JsonObject = { orderId: 'o', totalMinor: 1 };
    expect(DOMAIN_PERSONAL_DATA.erased('PurchaseRecorded', order)).toBe(order);
    expect(DOMAIN_PERSONAL_DATA.erased('OwnerAssigned', { repId: 'r' })).toEqual({ repId: 'r' });
  });

  it('formats money exactly in the currency’s minor units', () => {
    expect(money(5997, 'EUR')).toBe('EUR 59.97');
    expect(money(5, 'EUR')).toBe('EUR 0.05');
    expect(money(-1050, 'USD')).toBe('USD -10.50');
    expect(money(1200, 'JPY')).toBe('JPY 1200');
    expect(money(1234, 'BHD')).toBe('BHD 1.234');
    expect(money(900719925474099, 'EUR')).toBe('EUR 9007199254740.99');
  });

  it('keeps free text on one bounded line', () => {
    expect(oneLine('a\r\nb\t c')).toBe('a b c');
    const long = oneLine('x'.repeat(500));
    expect([...long]).toHaveLength(160);
    expect(long.endsWith('…')).toBe(true);
  });

  it('orders by business time', () => {
    expect(businessTime({ type: 'RefundRecorded', data: { refundId: 'r', orderId: 'o', lines: [], currency: 'EUR', totalMinor: 0, refundedAt: at } })).toBe(at);
    expect(businessTime({ type: 'LeadClickRecorded', data: { clickId: 'c', kind: 'ad', url: 'u', occurredAt: '2020-01-01T00:00:00.000Z' } })).toBe(
      '2020-01-01T00:00:00.000Z',
    );
  });
});
