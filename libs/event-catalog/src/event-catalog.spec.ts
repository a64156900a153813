import { CAMPAIGN_EVENT_SCHEMA_VERSION, PRODUCT_EVENT_SCHEMA_VERSION, VISITOR_EVENT_SCHEMA_VERSION } from '#marketing/domain';
import { CUSTOMER_EVENT_SCHEMA_VERSION, customerPersonalData } from '#customers/domain';
import { REP_EVENT_SCHEMA_VERSION } from '#sales/domain';
import { EVENT_SCHEMA_VERSION, domainPersonalData, schemaVersionOf } from './event-catalog.js';
describe('the domain-wide event schema', () => {
  const contexts = {
    customer: CUSTOMER_EVENT_SCHEMA_VERSION,
    rep: REP_EVENT_SCHEMA_VERSION,
    product: PRODUCT_EVENT_SCHEMA_VERSION,
    campaign: CAMPAIGN_EVENT_SCHEMA_VERSION,
    visitor: VISITOR_EVENT_SCHEMA_VERSION,
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

  it.each(['product', 'campaign', 'visitor'] as const)('declares no personal data in %s events', (context) => {
    for (const type of Object.keys(contexts[context])) expect(Object.hasOwn(domainPersonalData, type)).toBe(false);
    expect(domainPersonalData).toStrictEqual(customerPersonalData);
  });
});
