import { toCustomerEvent, type CustomerEvent } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { recordedCustomerEvents } from '#testing';
import { evolveDirectoryRow, MIXED_CURRENCIES, type DirectoryRow } from './directory.row.js';

const RECORDED_AT = new Date('2026-03-01T00:00:00.000Z');

/** Given a customer's events, the row the projection folds them into. */
function rowAfter(events: readonly RecordedEvent[], start?: DirectoryRow): DirectoryRow | undefined {
  return events.reduce<DirectoryRow | undefined>((row, event) => evolveDirectoryRow(row, 'c-1', event, toCustomerEvent(event)!), start);
}

const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId: 'c-1', stage: 'lead', source: 'api', contact: { name: 'Ada', email: 'ada@example.com' }, tags: ['vip'], registeredAt: '2026-01-05T10:00:00.000Z' },
};
const purchase = (orderId: string, totalMinor: number, currency: string, purchasedAt: string): CustomerEvent => ({
  type: 'PurchaseRecorded',
  data: { orderId, lines: [{ lineNo: 1, productSku: 'S', quantity: 1, unitPriceMinor: totalMinor, currency }], currency, totalMinor, purchasedAt },
});
const call = (occurredAt: string): CustomerEvent => ({
  type: 'CallLogged',
  data: { callId: occurredAt, direction: 'outbound', durationSeconds: 60, outcome: 'connected', repId: 'rep-1', occurredAt },
});

describe('directory row', () => {
  it('starts at registration and ignores events of a customer it never saw registered', () => {
    const next = recordedCustomerEvents('c-1', () => RECORDED_AT);
    const registration = next(registered);
    expect(rowAfter([registration])).toMatchObject({ customer_id: 'c-1', revision: 0, name: 'Ada', stage: 'lead', interactions: 0, updated_at: RECORDED_AT.toISOString() });
    expect(rowAfter([next(call('2026-01-06T00:00:00.000Z'))])).toBeUndefined();
  });

  it('counts interactions and orders, keeps the latest interaction whatever the order events come in', () => {
    const next = recordedCustomerEvents('c-1', () => RECORDED_AT);
    const row = rowAfter([
      next(registered),
      next(call('2026-01-10T00:00:00.000Z')),
      next(call('2026-01-08T00:00:00.000Z')),
      next(purchase('o-1', 1000, 'EUR', '2026-01-09T00:00:00.000Z')),
    ]);
    expect(row).toMatchObject({ revision: 3, interactions: 2, orders: 1, revenue_minor: 1000, revenue_currency: 'EUR', last_interaction_at: '2026-01-10T00:00:00.000Z' });
  });

  it('marks revenue of more than one currency as mixed', () => {
    const next = recordedCustomerEvents('c-1', () => RECORDED_AT);
    const row = rowAfter([next(registered), next(purchase('o-1', 1000, 'EUR', '2026-01-09T00:00:00.000Z')), next(purchase('o-2', 500, 'USD', '2026-01-10T00:00:00.000Z'))]);
    expect(row).toMatchObject({ orders: 2, revenue_minor: 1500, revenue_currency: MIXED_CURRENCIES });
  });

  it('returns the same row for an event it applied already (a replay does not count twice)', () => {
    const next = recordedCustomerEvents('c-1', () => RECORDED_AT);
    const events = [next(registered), next(call('2026-01-10T00:00:00.000Z'))];
    const row = rowAfter(events)!;
    expect(evolveDirectoryRow(row, 'c-1', events[1], toCustomerEvent(events[1])!)).toBe(row);
    expect(evolveDirectoryRow(row, 'c-1', events[0], toCustomerEvent(events[0])!)).toBe(row);
  });

  it('drops the personal columns on erasure and keeps the business ones', () => {
    const next = recordedCustomerEvents('c-1', () => RECORDED_AT);
    const row = rowAfter([next(registered), next(purchase('o-1', 1000, 'EUR', '2026-01-09T00:00:00.000Z')), next({ type: 'CustomerErased', data: { erasedAt: '2026-02-01T00:00:00.000Z' } })]);
    expect(row).toMatchObject({ name: null, email: null, phone: null, company: null, region: null, industry: null, tags: [], erased: true, orders: 1, revenue_minor: 1000 });
  });
});
