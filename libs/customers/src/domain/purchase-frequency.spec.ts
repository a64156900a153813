import { daysPast, purchaseFrequency } from './purchase-frequency.js';

describe('purchaseFrequency', () => {
  it('is null without a purchase, and expects nothing from a single purchase day', () => {
    expect(purchaseFrequency([])).toBeNull();
    expect(purchaseFrequency(['2026-03-01T09:00:00.000Z', '2026-03-01T17:30:00.000Z'])).toEqual({
      orders: 2,
      purchaseDays: 1,
      firstPurchaseOn: '2026-03-01',
      lastPurchaseOn: '2026-03-01',
      medianIntervalDays: null,
      expectedOn: null,
    });
  });

  it('expects the next purchase the median interval after the last purchase day', () => {
    // Intervals 31, 28, 61 days: median 31.
    expect(purchaseFrequency(['2026-01-01T10:00:00.000Z', '2026-02-01T08:00:00.000Z', '2026-03-01T23:59:59.000Z', '2026-05-01T00:00:00.000Z'])).toEqual({
      orders: 4,
      purchaseDays: 4,
      firstPurchaseOn: '2026-01-01',
      lastPurchaseOn: '2026-05-01',
      medianIntervalDays: 31,
      expectedOn: '2026-06-01',
    });
  });

  it('takes the mean of the two middle intervals, half up, for an even number of intervals', () => {
    // Intervals 10 and 15: 12.5 -> 13.
    expect(purchaseFrequency(['2026-01-01T00:00:00Z', '2026-01-11T00:00:00Z', '2026-01-26T00:00:00Z'])?.medianIntervalDays).toBe(13);
    expect(purchaseFrequency(['2026-01-01T00:00:00Z', '2026-01-11T00:00:00Z', '2026-01-26T00:00:00Z'])?.expectedOn).toBe('2026-02-08');
  });

  it('orders purchases by when they happened, not how they were recorded, and counts UTC days', () => {
    // 23:30 at -02:00 is 1 April in UTC: intervals 12 and 9 days, 10.5 -> 11.
    const frequency = purchaseFrequency(['2026-04-10T12:00:00Z', '2026-03-31T23:30:00-02:00', '2026-03-20T12:00:00Z', '2026-04-10T13:00:00Z']);
    expect(frequency).toMatchObject({ orders: 4, purchaseDays: 3, firstPurchaseOn: '2026-03-20', lastPurchaseOn: '2026-04-10', medianIntervalDays: 11, expectedOn: '2026-04-21' });
  });

  it('is unmoved by outliers as a median is', () => {
    const weekly = ['2026-01-01', '2026-01-08', '2026-01-15', '2026-01-22', '2026-06-01', '2026-06-08'].map((day) => `${day}T10:00:00Z`);
    expect(purchaseFrequency(weekly)).toMatchObject({ medianIntervalDays: 7, expectedOn: '2026-06-15' });
  });
});

describe('daysPast', () => {
  it('counts whole days from the expected day', () => {
    expect(daysPast('2026-06-01', '2026-06-01')).toBe(0);
    expect(daysPast('2026-06-01', '2026-06-09')).toBe(8);
    expect(daysPast('2026-06-01', '2026-05-30')).toBe(-2);
  });
});
