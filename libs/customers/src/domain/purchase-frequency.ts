/**
 * What a customer's purchase history says about their next purchase: the median interval between
 * purchase days, and the day the next purchase is expected on (the last purchase day plus that
 * median). Several orders on one UTC day are one purchase occasion: a split basket is not a
 * reorder, and counting it would bring every expectation forward to the next day.
 */
export interface PurchaseFrequency {
  /** Orders recorded. */
  readonly orders: number;
  /** Distinct UTC days with at least one order. */
  readonly purchaseDays: number;
  readonly firstPurchaseOn: string;
  readonly lastPurchaseOn: string;
  /** Median of the days between consecutive purchase days (half up); null below two purchase days. */
  readonly medianIntervalDays: number | null;
  /** `lastPurchaseOn` + the median; null below two purchase days. */
  readonly expectedOn: string | null;
}

const DAY_MS = 86_400_000;

/** The frequency of purchases made at `purchasedAts` (ISO 8601 timestamps, any order); null without any. */
export function purchaseFrequency(purchasedAts: readonly string[]): PurchaseFrequency | null {
  if (purchasedAts.length === 0) return null;
  const days = [...new Set(purchasedAts.map((at) => dayNumber(at)))].sort((a, b) => a - b);
  const first = days[0];
  const last = days[days.length - 1];
  const intervals = days.slice(1).map((day, i) => day - days[i]);
  const median = intervals.length === 0 ? null : medianOf(intervals);
  return {
    orders: purchasedAts.length,
    purchaseDays: days.length,
    firstPurchaseOn: dateOf(first),
    lastPurchaseOn: dateOf(last),
    medianIntervalDays: median,
    expectedOn: median === null ? null : dateOf(last + median),
  };
}

/** Whole days from `expectedOn` to `today` (both `YYYY-MM-DD`): positive once the purchase is late. */
export function daysPast(expectedOn: string, today: string): number {
  return dayNumber(today) - dayNumber(expectedOn);
}

function medianOf(numbers: readonly number[]): number {
  const values = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? values[middle] : Math.round((values[middle - 1] + values[middle]) / 2);
}

/** Days since 1970-01-01 of the UTC day of a timestamp or a calendar date. */
function dayNumber(at: string): number {
  return Math.floor(Date.parse(at.length === 10 ? `${at}T00:00:00.000Z` : at) / DAY_MS);
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
