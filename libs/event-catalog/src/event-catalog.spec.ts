import { CAMPAIGN_EVENT_SCHEMA_VERSION, PRODUCT_EVENT_SCHEMA_VERSION, VISITOR_EVENT_SCHEMA_VERSION } from '#marketing/domain';
import { CUSTOMER_EVENT_SCHEMA_VERSION } from '#customers/domain';
import { REP_EVENT_SCHEMA_VERSION } from '#sales/domain';
import { TICKET_EVENT_SCHEMA_VERSION } from '#service/domain';
import { DOMAIN_PERSONAL_DATA, EVENT_SCHEMA_VERSION, PERSONAL_DATA_DECLARATIONS, domainPersonalData, schemaVersionOf } from './event-catalog.js';
import { EMAIL_CLAIM_EVENT_SCHEMA_VERSION } from '#lead-capture/domain';
describe('the domain-wide event schema', () => {
  const contexts = {
    customer: CUSTOMER_EVENT_SCHEMA_VERSION,
    rep: REP_EVENT_SCHEMA_VERSION,
    product: PRODUCT_EVENT_SCHEMA_VERSION,
    campaign: CAMPAIGN_EVENT_SCHEMA_VERSION,
    visitor: VISITOR_EVENT_SCHEMA_VERSION,
    ticket: TICKET_EVENT_SCHEMA_VERSION,
  };

  it('merges the event types of every context, each at its own version', () => {
    expect(EVENT_SCHEMA_VERSION).toStrictEqual(Object.assign({}, ...Object.values(contexts)));
    for (const versions of Object.values(contexts)) {
      for (const [type, version] of Object.entries(versions)) expect(schemaVersionOf(type)).toBe(version);
    }
  });

  it('has no event type in two contexts', () => {
    const types = Object.values(contexts).flatMap((versions) => Object.keys(versions));
    expect(new Set(types).size).toBe(types.length);
  });

  it('declares the personal data of every event type, once, the internal e-mail claims too', () => {
    const types = [...Object.keys(EVENT_SCHEMA_VERSION), ...Object.keys(EMAIL_CLAIM_EVENT_SCHEMA_VERSION)].sort();
    expect(Object.keys(PERSONAL_DATA_DECLARATIONS).sort()).toEqual(types);
    expect(Object.keys(domainPersonalData).sort()).toEqual(types);
    // Not a domain event: subscriptions and schema versions know nothing of it.
    expect(Object.hasOwn(EVENT_SCHEMA_VERSION, 'EmailClaimed')).toBe(false);
  });

  it('refuses, at append, a string field no declaration classifies', () => {
    expect(DOMAIN_PERSONAL_DATA.requireClassified).toBe(true);
    expect(DOMAIN_PERSONAL_DATA.unclassifiedFields('NoteAdded', { noteId: 'n', text: 't', addedAt: 'a', mood: 'sunny', extra: { a: ['b'] } })).toEqual(['mood', 'extra.a[]']);
    expect(DOMAIN_PERSONAL_DATA.unclassifiedFields('Unknown', { a: 'b', n: 1 })).toEqual(['a']);
  });

  it('protects a task about a customer with that customer\'s key, and links claims and visitors to the customer', () => {
    expect(DOMAIN_PERSONAL_DATA.keyStreamOf('TaskAssigned', { taskId: 't', customerId: 'c1', title: 'x' }, 'rep-1')).toBe('customer-c1');
    expect(DOMAIN_PERSONAL_DATA.keyStreamOf('TaskAssigned', { taskId: 't', title: 'x' }, 'rep-1')).toBe('rep-1');
    expect(DOMAIN_PERSONAL_DATA.keyStreamOf('NoteAdded', { text: 'x' }, 'customer-c1')).toBe('customer-c1');
    expect(DOMAIN_PERSONAL_DATA.keyLinksOf('EmailClaimed', { customerId: 'c1' }, 'email-claim-ab')).toEqual([{ subject: 'customer-c1', linked: 'email-claim-ab', ownKey: true }]);
    expect(DOMAIN_PERSONAL_DATA.keyLinksOf('CustomerRegistered', { visitorId: 'v9' }, 'customer-c1')).toEqual([{ subject: 'customer-c1', linked: 'visitor-v9', ownKey: true }]);
    expect(DOMAIN_PERSONAL_DATA.keyLinksOf('CustomerRegistered', {}, 'customer-c1')).toEqual([]);
  });

  it.each(['product', 'campaign'] as const)('declares no personal data in %s events', (context) => {
    for (const type of Object.keys(contexts[context])) expect(domainPersonalData[type].personal).toEqual([]);
  });
});
