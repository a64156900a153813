import { lineAmount, moneyOf, mulDivHalfUp, percentOf, roundHalfUp } from './money.js';

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

  it('refuses a denominator that is not positive', () => {
    expect(() => roundHalfUp(1n, 0n)).toThrow(RangeError);
  });
});

describe('mulDivHalfUp', () => {
  it('multiplies before it divides, exactly, and rounds half up', () => {
    // 900,719,925,474,099 * 777 / 10,000 = 69,985,938,209,337.4923 -> 69,985,938,209,337
    expect(mulDivHalfUp(900_719_925_474_099, 777, 10_000)).toBe(69_985_938_209_337);
    expect(mulDivHalfUp(5, 1, 2)).toBe(3);
    expect(mulDivHalfUp(-5, 1, 2)).toBe(-2);
  });
});

describe('lineAmount', () => {
  it('refuses a line amount JS cannot hold exactly', () => {
    expect(lineAmount(3, 1999)).toBe(5997);
    expect(() => lineAmount(2 ** 30, 2 ** 30)).toThrow(RangeError);
  });
});

describe('percentOf', () => {
  it('is a percentage with one decimal, rounded half up; null without a (positive) whole', () => {
    expect(percentOf(1_234, 10_000)).toBe(12.3);
    expect(percentOf(2, 3)).toBe(66.7);
    expect(percentOf(1, 3)).toBe(33.3);
    expect(percentOf(1, 8)).toBe(12.5);
    expect(percentOf(3, 2)).toBe(150);
    expect(percentOf(-1, 3)).toBe(-33.3);
    expect(percentOf(5, null)).toBeNull();
    expect(percentOf(5, 0)).toBeNull();
  });
});

describe('moneyOf', () => {
  it('nets refunds off revenue', () => {
    expect(moneyOf(1_000, 250)).toEqual({ revenueMinor: 1_000, refundsMinor: 250, netRevenueMinor: 750 });
  });
});
