import { CSV_HEADER, csvLine } from './directory.csv.js';
import type { CustomerProfile } from './directory.queries.js';

describe('directory CSV', () => {
  it('writes a header and one line per customer, in the same columns', () => {
    const profile: CustomerProfile = {
      customerId: 'c-1',
      name: 'Lovelace, Ada',
      email: 'ada@example.com',
      phone: null,
      company: 'AE "Engines" Ltd',
      stage: 'customer',
      ownerRepId: 'rep-1',
      region: null,
      industry: null,
      tags: ['vip', 'fair'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
      convertedAt: null,
      lastInteractionAt: null,
      interactions: 3,
      orders: 1,
      revenueMinor: 5997,
      revenueCurrency: 'EUR',
      erased: false,
    };
    expect(CSV_HEADER).toBe(
      'customer_id,name,email,phone,company,stage,owner_rep_id,region,industry,tags,created_at,updated_at,converted_at,last_interaction_at,interactions,orders,revenue_minor,revenue_currency,erased\r\n',
    );
    expect(csvLine(profile)).toBe(
      'c-1,"Lovelace, Ada",ada@example.com,,"AE ""Engines"" Ltd",customer,rep-1,,,vip;fair,2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,,,3,1,5997,EUR,false\r\n',
    );
  });
});
