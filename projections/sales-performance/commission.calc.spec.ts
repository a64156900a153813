import { lineCommission, refundReversal, totalCommission, type Plan } from './commission.calc.js';

const plan = (overrides: Partial<Plan> = {}): Plan => ({ planId: 'p', effectiveFrom: '2026-01-01', baseRateBps: 500, categoryRates: [], tiers: [], ...overrides });

describe('lineCommission', () => {
  const eur = (amountMinor: number, category?: string) => ({ amountMinor, category, currency: 'EUR' });

  it('pays the base rate, rounded half up', () => {
    // 1999 * 5 % = 99.95 -> 100
    expect(lineCommission(plan(), eur(1999), 0)).toEqual([{ amountMinor: 1999, rateBps: 500, commissionMinor: 100 }]);
    // 1990 * 5 % = 99.5 -> 100; 1989 * 5 % = 99.45 -> 99
    expect(totalCommission(lineCommission(plan(), eur(1990), 0))).toBe(100);
    expect(totalCommission(lineCommission(plan(), eur(1989), 0))).toBe(99);
  });

  it("pays a category's own rate, the base rate for other categories", () => {
    const withCategories = plan({ categoryRates: [{ category: 'hardware', rateBps: 250 }] });
    // 1999 * 2.5 % = 49.975 -> 50
    expect(totalCommission(lineCommission(withCategories, eur(1999, 'hardware'), 0))).toBe(50);
    expect(totalCommission(lineCommission(withCategories, eur(1999, 'software'), 0))).toBe(100);
    expect(totalCommission(lineCommission(withCategories, eur(1999), 0))).toBe(100);
  });

  const tiered = plan({
    tiers: [
      { thresholdMinor: 200_000, rateBps: 1200 },
      { thresholdMinor: 100_000, rateBps: 800 },
    ],
    tierPeriod: 'month',
    currency: 'EUR',
  });

  it('splits a line at each threshold it crosses, rounding each part', () => {
    // progress 90,000 + 150,001: 10,000 at 5 % = 500; 100,000 at 8 % = 8,000; 40,001 at 12 % = 4,800.12 -> 4,800
    expect(lineCommission(tiered, eur(150_001), 90_000)).toEqual([
      { amountMinor: 10_000, rateBps: 500, commissionMinor: 500 },
      { amountMinor: 100_000, rateBps: 800, commissionMinor: 8_000 },
      { amountMinor: 40_001, rateBps: 1200, commissionMinor: 4_800 },
    ]);
  });

  it('rounds each segment on its own', () => {
    // progress 99,990 + 20: 10 at 5 % = 0.5 -> 1; 10 at 8 % = 0.8 -> 1 (the whole line at a blend would be 1.3 -> 1)
    expect(lineCommission(tiered, eur(20), 99_990)).toEqual([
      { amountMinor: 10, rateBps: 500, commissionMinor: 1 },
      { amountMinor: 10, rateBps: 800, commissionMinor: 1 },
    ]);
  });

  it('pays the tier rate from exactly the threshold on, instead of the category rate', () => {
    const categories = { ...tiered, categoryRates: [{ category: 'hardware', rateBps: 300 }] };
    // 100 at 8 % = 8
    expect(lineCommission(categories, eur(100, 'hardware'), 100_000)).toEqual([{ amountMinor: 100, rateBps: 800, commissionMinor: 8 }]);
    // 1,000 below the threshold at 3 % = 30; 500 above at 8 % = 40
    expect(lineCommission(categories, eur(1_500, 'hardware'), 99_000)).toEqual([
      { amountMinor: 1_000, rateBps: 300, commissionMinor: 30 },
      { amountMinor: 500, rateBps: 800, commissionMinor: 40 },
    ]);
  });

  it('gives no tier rate to a sale in another currency than the plan', () => {
    // 150,001 * 5 % = 7,500.05 -> 7,500
    expect(lineCommission(tiered, { amountMinor: 150_001, currency: 'USD' }, 250_000)).toEqual([
      { amountMinor: 150_001, rateBps: 500, commissionMinor: 7_500 },
    ]);
  });

  it('multiplies in BigInt: no cent lost on huge lines', () => {
    // 900,719,925,474,099 * 7.77 % = 69,985,938,209,337.4923 -> 69,985,938,209,337
    expect(totalCommission(lineCommission(plan({ baseRateBps: 777 }), eur(900_719_925_474_099), 0))).toBe(69_985_938_209_337);
  });
});

describe('refundReversal', () => {
  it("takes back the refund's share of the line's commission", () => {
    // 300 * 1,999 / 5,997 = 100
    expect(refundReversal({ amountMinor: 5_997, commissionMinor: 300, commissionReversedMinor: 0 }, 1_999)).toBe(100);
    // 301 * 1,999 / 5,997 = 100.33 -> 100; 299 * ... = 99.67 -> 100
    expect(refundReversal({ amountMinor: 5_997, commissionMinor: 301, commissionReversedMinor: 0 }, 1_999)).toBe(100);
    expect(refundReversal({ amountMinor: 5_997, commissionMinor: 299, commissionReversedMinor: 0 }, 1_999)).toBe(100);
  });

  it('never takes back more than the line still has', () => {
    // 5 * 1 / 3 = 1.67 -> 2 twice, then only 1 is left
    expect(refundReversal({ amountMinor: 3, commissionMinor: 5, commissionReversedMinor: 0 }, 1)).toBe(2);
    expect(refundReversal({ amountMinor: 3, commissionMinor: 5, commissionReversedMinor: 2 }, 1)).toBe(2);
    expect(refundReversal({ amountMinor: 3, commissionMinor: 5, commissionReversedMinor: 4 }, 1)).toBe(1);
    expect(refundReversal({ amountMinor: 3, commissionMinor: 5, commissionReversedMinor: 5 }, 1)).toBe(0);
  });

  it('takes nothing back from a line without commission or amount', () => {
    expect(refundReversal({ amountMinor: 1_000, commissionMinor: 0, commissionReversedMinor: 0 }, 500)).toBe(0);
    expect(refundReversal({ amountMinor: 0, commissionMinor: 0, commissionReversedMinor: 0 }, 0)).toBe(0);
  });
});
