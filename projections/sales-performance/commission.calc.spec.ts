import {
  attainmentPct,
  lineAmount,
  lineCommission,
  periodStart,
  planInForce,
  refundReversal,
  roundHalfUp,
  totalCommission,
  utcDate,
  type Plan,
} from './commission.calc.js';

const plan = (overrides: Partial<Plan> = {}): Plan => ({ planId: 'p', effectiveFrom: '2026-01-01', baseRateBps: 500, categoryRates: [], tiers: [], ...overrides });

describe('roundHalfUp', () => {
  it('rounds halves up and everything else to the nearest integer', () => {
    expect(roundHalfUp(15n, 10n)).toBe(2n);
    expect(roundHalfUp(14n, 10n)).toBe(1n);
    expect(roundHalfUp(16n, 10n)).toBe(2n);
    expect(roundHalfUp(25n, 10n)).toBe(3n);
    expect(roundHalfUp(0n, 10n)).toBe(0n);
    expect(roundHalfUp(20n, 10n)).toBe(2n);
    // Towards +infinity on a tie, below zero too.
    expect(roundHalfUp(-15n, 10n)).toBe(-1n);
    expect(roundHalfUp(-16n, 10n)).toBe(-2n);
  });

  it('stays exact beyond 2^53', () => {
    // (2^60 * 7 + 5) / 10 = 8,070,450,532,247,928,837 / 10 = 807,045,053,224,792,883.7 -> ...884
    expect(roundHalfUp(2n ** 60n * 7n + 5n, 10n)).toBe(807_045_053_224_792_884n);
    // ...835 / 10 = ...883.5 -> ...884 (a tie); ...834 / 10 = ...883.4 -> ...883
    expect(roundHalfUp(2n ** 60n * 7n + 3n, 10n)).toBe(807_045_053_224_792_884n);
    expect(roundHalfUp(2n ** 60n * 7n + 2n, 10n)).toBe(807_045_053_224_792_883n);
  });
});

describe('calendar periods (UTC)', () => {
  it('takes the UTC date of a time, whatever its zone', () => {
    expect(utcDate('2026-03-31T23:30:00-02:00')).toBe('2026-04-01');
    expect(utcDate('2026-04-01T00:30:00+02:00')).toBe('2026-03-31');
    expect(utcDate('2026-04-01T00:00:00.000Z')).toBe('2026-04-01');
    expect(() => utcDate('yesterday')).toThrow(RangeError);
  });

  it('starts days, months, quarters and years', () => {
    expect(['day', 'month', 'quarter', 'year'].map((kind) => periodStart(kind as 'day', '2026-05-17'))).toEqual([
      '2026-05-17',
      '2026-05-01',
      '2026-04-01',
      '2026-01-01',
    ]);
    expect(periodStart('quarter', '2026-03-31')).toBe('2026-01-01');
    expect(periodStart('quarter', '2026-10-01')).toBe('2026-10-01');
    expect(periodStart('quarter', '2026-12-31')).toBe('2026-10-01');
    expect(periodStart('quarter', '2026-07-15')).toBe('2026-07-01');
  });
});

describe('planInForce', () => {
  const january = plan({ planId: 'jan', effectiveFrom: '2026-01-01' });
  const march = plan({ planId: 'mar', effectiveFrom: '2026-03-01' });
  const february = plan({ planId: 'feb', effectiveFrom: '2026-02-01' });

  it('takes the latest effectiveFrom on or before the date, whatever order the plans came in', () => {
    const plans = [january, march, february];
    expect(planInForce(plans, '2025-12-31')).toBeUndefined();
    expect(planInForce(plans, '2026-01-01')?.planId).toBe('jan');
    expect(planInForce(plans, '2026-02-28')?.planId).toBe('feb');
    expect(planInForce(plans, '2026-03-01')?.planId).toBe('mar');
  });

  it('of two plans with one date, takes the one seen last', () => {
    const again = plan({ planId: 'jan-2', effectiveFrom: '2026-01-01' });
    expect(planInForce([january, again], '2026-01-10')?.planId).toBe('jan-2');
    expect(planInForce([again, january], '2026-01-10')?.planId).toBe('jan');
  });
});

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

  it('refuses a line amount JS cannot hold exactly', () => {
    expect(lineAmount(3, 1999)).toBe(5997);
    expect(() => lineAmount(2 ** 30, 2 ** 30)).toThrow(RangeError);
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

describe('attainmentPct', () => {
  it('is a percentage with one decimal, rounded half up; null without a target', () => {
    expect(attainmentPct(1_234, 10_000)).toBe(12.3);
    expect(attainmentPct(2, 3)).toBe(66.7);
    expect(attainmentPct(1, 3)).toBe(33.3);
    expect(attainmentPct(1, 8)).toBe(12.5);
    expect(attainmentPct(3, 2)).toBe(150);
    expect(attainmentPct(5, null)).toBeNull();
    expect(attainmentPct(5, 0)).toBeNull();
  });
});
