import { ageBandOn, averageDiscount, listValue, nextPeriodStart, priceBucket, trendRanges, yearBefore } from './sales-analytics.calc.js';

describe('ageBandOn', () => {
  it('takes the band given, else the one of the age reached in the sale year', () => {
    expect(ageBandOn({ ageBand: '25-34', birthYear: 1950 }, '2026-05-01')).toBe('25-34');
    // 2026 - 2002 = 24; 2027: 25.
    expect(ageBandOn({ birthYear: 2002 }, '2026-12-31')).toBe('18-24');
    expect(ageBandOn({ birthYear: 2002 }, '2027-01-01')).toBe('25-34');
    expect(ageBandOn({ birthYear: 1961 }, '2026-01-01')).toBe('65+');
    expect(ageBandOn({ birthYear: 1962 }, '2026-01-01')).toBe('55-64');
    // 17: no band.
    expect(ageBandOn({ birthYear: 2009 }, '2026-01-01')).toBeNull();
    expect(ageBandOn({}, '2026-01-01')).toBeNull();
  });
});

describe('discounts and price points', () => {
  it('values the units with a list price at list price', () => {
    expect(listValue({ quantity: 3, unitPriceMinor: 900, listPriceMinor: 1_000 })).toEqual({ listUnits: 3, listAmountMinor: 3_000 });
    expect(listValue({ quantity: 3, unitPriceMinor: 900, listPriceMinor: null })).toEqual({ listUnits: 0, listAmountMinor: 0 });
    expect(() => listValue({ quantity: 2 ** 40, unitPriceMinor: 1, listPriceMinor: 2 ** 20 })).toThrow(RangeError);
  });

  it('averages the discount per unit and in percent of list value', () => {
    // 3 units listed 3,000, sold 2,500: 500 / 3 = 166.67 -> 167 per unit; 500 / 3,000 = 16.67 % -> 16.7
    expect(averageDiscount(3, 3_000, 2_500)).toEqual({ perUnitMinor: 167, pct: 16.7 });
    // Sold above list: a negative discount. -50 / 2 = -25; -50 / 2,000 = -2.5 %
    expect(averageDiscount(2, 2_000, 2_050)).toEqual({ perUnitMinor: -25, pct: -2.5 });
    expect(averageDiscount(0, 0, 0)).toBeNull();
  });

  it('puts a unit price in its bucket, both ends inclusive', () => {
    expect(priceBucket(1_999, 1_000)).toEqual({ fromMinor: 1_000, toMinor: 1_999 });
    expect(priceBucket(2_000, 1_000)).toEqual({ fromMinor: 2_000, toMinor: 2_999 });
    expect(priceBucket(0, 500)).toEqual({ fromMinor: 0, toMinor: 499 });
    expect(priceBucket(1_234, 1)).toEqual({ fromMinor: 1_234, toMinor: 1_234 });
  });
});

describe('trend periods', () => {
  it('moves to the next period and a year back', () => {
    expect(nextPeriodStart('month', '2026-12-01')).toBe('2027-01-01');
    expect(nextPeriodStart('month', '2026-02-01')).toBe('2026-03-01');
    expect(nextPeriodStart('week', '2025-12-29')).toBe('2026-01-05');
    expect(yearBefore('month', '2024-02-01')).toBe('2023-02-01');
    // 52 weeks: the Monday 364 days before.
    expect(yearBefore('week', '2026-02-16')).toBe('2025-02-17');
  });

  it('widens a range to whole periods, and the same a year before (ends exclusive)', () => {
    expect(trendRanges('month', '2026-01-15', '2026-03-10')).toEqual({ start: '2026-01-01', until: '2026-04-01', startBefore: '2025-01-01', untilBefore: '2025-04-01' });
    expect(trendRanges('week', '2026-02-17', '2026-02-17')).toEqual({ start: '2026-02-16', until: '2026-02-23', startBefore: '2025-02-17', untilBefore: '2025-02-24' });
  });
});
