import { allocate, attribute, campaignOf, conversionRatePct, costPerConversion, customerProspect, touchCredits, visitorProspect } from './marketing.calc.js';

describe('prospects', () => {
  it('keys customers and visitors apart', () => {
    expect(customerProspect('42')).toBe('c:42');
    expect(visitorProspect('42')).toBe('v:42');
  });
});

describe('campaignOf', () => {
  const listing = (adId: string) => ({ 'ad-1': ['spring'], 'ad-2': ['spring', 'summer'] })[adId] ?? [];

  it('takes the campaign named, else the one campaign listing the ad', () => {
    expect(campaignOf({ campaignId: 'autumn', adId: 'ad-1' }, listing)).toBe('autumn');
    expect(campaignOf({ adId: 'ad-1' }, listing)).toBe('spring');
    // Two campaigns list ad-2, none ad-3: no campaign.
    expect(campaignOf({ adId: 'ad-2' }, listing)).toBeUndefined();
    expect(campaignOf({ adId: 'ad-3' }, listing)).toBeUndefined();
    expect(campaignOf({ affiliateSiteId: 'blog' }, listing)).toBeUndefined();
  });
});

describe('touchCredits', () => {
  const touches = ['a', 'b', 'a', 'c'];

  it('credits the oldest touch, the latest, or each touch once', () => {
    expect(touchCredits('first-touch', touches)).toEqual([['a', 1]]);
    expect(touchCredits('last-touch', touches)).toEqual([['c', 1]]);
    // a touched twice: two shares of four, in the order first touched.
    expect(touchCredits('linear', touches)).toEqual([
      ['a', 2],
      ['b', 1],
      ['c', 1],
    ]);
  });

  it('credits nobody without touches', () => {
    expect(touchCredits('linear', [])).toEqual([]);
    expect(touchCredits('first-touch', [])).toEqual([]);
  });
});

describe('allocate', () => {
  it('splits by largest remainder, adding up exactly', () => {
    // 100 / 3 = 33.33 each: the floors leave 1, to the first on the tie.
    expect([
      ...allocate(100, [
        ['a', 1],
        ['b', 1],
        ['c', 1],
      ]),
    ]).toEqual([
      ['a', 34],
      ['b', 33],
      ['c', 33],
    ]);
    // 10 * 1/6 = 1.67, 10 * 2/6 = 3.33, 10 * 3/6 = 5: floors 1 + 3 + 5 = 9; the largest remainder (4/6) gets 1.
    expect([
      ...allocate(10, [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
    ]).toEqual([
      ['a', 2],
      ['b', 3],
      ['c', 5],
    ]);
    expect([...allocate(7, [['a', 1]])]).toEqual([['a', 7]]);
    expect([...allocate(0, [['a', 1]])]).toEqual([['a', 0]]);
  });

  it('splits a negative amount as its absolute value, negated', () => {
    expect([
      ...allocate(-100, [
        ['a', 1],
        ['b', 1],
        ['c', 1],
      ]),
    ]).toEqual([
      ['a', -34],
      ['b', -33],
      ['c', -33],
    ]);
  });

  it('stays exact beyond 2^53', () => {
    const huge = 2 ** 53 - 1;
    const shares = allocate(huge, [
      ['a', 1],
      ['b', 1],
    ]);
    // 9,007,199,254,740,991 / 2 = ...495.5: ...496 and ...495.
    expect([...shares.values()]).toEqual([4_503_599_627_370_496, 4_503_599_627_370_495]);
  });

  it('refuses weights adding up to nothing', () => {
    expect(() => allocate(1, [])).toThrow(RangeError);
  });
});

describe('attribute', () => {
  const groups = [
    // Two purchases touched by spring, then summer, then spring; one of them a first purchase.
    { campaigns: ['spring', 'summer', 'spring'], conversions: 1, revenueMinor: 9_000, refundsMinor: 300 },
    { campaigns: ['summer'], conversions: 1, revenueMinor: 1_000, refundsMinor: 0 },
    { campaigns: [], conversions: 1, revenueMinor: 500, refundsMinor: 0 },
  ];

  it('gives each model its own split, every figure adding up to the totals', () => {
    expect(attribute('first-touch', groups)).toEqual([
      { campaignId: 'spring', conversions: 1, revenueMinor: 9_000, refundsMinor: 300, netRevenueMinor: 8_700 },
      { campaignId: 'summer', conversions: 1, revenueMinor: 1_000, refundsMinor: 0, netRevenueMinor: 1_000 },
      { campaignId: null, conversions: 1, revenueMinor: 500, refundsMinor: 0, netRevenueMinor: 500 },
    ]);
    expect(attribute('last-touch', groups)).toEqual([
      { campaignId: 'spring', conversions: 1, revenueMinor: 9_000, refundsMinor: 300, netRevenueMinor: 8_700 },
      { campaignId: 'summer', conversions: 1, revenueMinor: 1_000, refundsMinor: 0, netRevenueMinor: 1_000 },
      { campaignId: null, conversions: 1, revenueMinor: 500, refundsMinor: 0, netRevenueMinor: 500 },
    ]);
    // Linear: spring 2/3 and summer 1/3 of the first group. Conversions 6,667 + 3,333 ten-thousandths;
    // 9,000 -> 6,000 + 3,000; 300 -> 200 + 100. Summer adds the second group whole.
    expect(attribute('linear', groups)).toEqual([
      { campaignId: 'spring', conversions: 0.6667, revenueMinor: 6_000, refundsMinor: 200, netRevenueMinor: 5_800 },
      { campaignId: 'summer', conversions: 1.3333, revenueMinor: 4_000, refundsMinor: 100, netRevenueMinor: 3_900 },
      { campaignId: null, conversions: 1, revenueMinor: 500, refundsMinor: 0, netRevenueMinor: 500 },
    ]);
  });

  it('tells first and last touch apart when the touches are not symmetric', () => {
    const group = [{ campaigns: ['spring', 'summer'], conversions: 1, revenueMinor: 100, refundsMinor: 0 }];
    expect(attribute('first-touch', group).map((row) => row.campaignId)).toEqual(['spring']);
    expect(attribute('last-touch', group).map((row) => row.campaignId)).toEqual(['summer']);
    expect(attribute('linear', group).map((row) => [row.campaignId, row.conversions, row.revenueMinor])).toEqual([
      ['spring', 0.5, 50],
      ['summer', 0.5, 50],
    ]);
  });

  it('lists nothing for no purchases', () => {
    expect(attribute('linear', [])).toEqual([]);
  });
});

describe('rates', () => {
  it('gives conversions per lead in percent, one decimal', () => {
    expect(conversionRatePct(1, 3)).toBe(33.3);
    expect(conversionRatePct(2, 3)).toBe(66.7);
    expect(conversionRatePct(0, 4)).toBe(0);
    expect(conversionRatePct(3, 0)).toBeNull();
  });

  it('divides the budget by the conversions, half up', () => {
    // 100,000 / 3 = 33,333.33; 5 / 2 = 2.5 -> 3
    expect(costPerConversion(100_000, 3)).toBe(33_333);
    expect(costPerConversion(5, 2)).toBe(3);
    expect(costPerConversion(100_000, 0)).toBeNull();
  });
});
