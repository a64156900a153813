/**
 * Money arithmetic of the read models: pure functions, no I/O. Amounts are integer minor units;
 * products and ratios of amounts are taken in BigInt so they never lose a cent, whatever their size.
 */

/** `numerator / denominator` rounded half up (towards +infinity on a tie); `denominator` > 0. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  // floor((2n + d) / 2d), with a floor division (BigInt division truncates towards zero).
  const dividend = 2n * numerator + denominator;
  const divisor = 2n * denominator;
  const quotient = dividend / divisor;
  return dividend % divisor < 0n ? quotient - 1n : quotient;
}

/** `a * b / c` of integers, exactly, rounded half up; `c` > 0. */
export function mulDivHalfUp(a: number, b: number, c: number): number {
  return Number(roundHalfUp(BigInt(a) * BigInt(b), BigInt(c)));
}

/** quantity * unit price; throws rather than round an amount beyond exact JS integers. */
export function lineAmount(quantity: number, unitPriceMinor: number): number {
  const amount = quantity * unitPriceMinor;
  if (!Number.isSafeInteger(amount)) throw new RangeError(`line amount ${quantity} x ${unitPriceMinor} is not an exact integer`);
  return amount;
}

/** `part` of `whole` in percent to one decimal (half up); null without a (positive) whole. */
export function percentOf(part: number, whole: number | null): number | null {
  if (whole === null || whole <= 0) return null;
  return mulDivHalfUp(part, 1000, whole) / 10;
}

/** Money of sales and refunds, in one currency (minor units). */
export interface Money {
  readonly revenueMinor: number;
  readonly refundsMinor: number;
  /** revenue - refunds. */
  readonly netRevenueMinor: number;
}

/** The money of `revenueMinor` sold and `refundsMinor` refunded. */
export function moneyOf(revenueMinor: number, refundsMinor: number): Money {
  return { revenueMinor, refundsMinor, netRevenueMinor: revenueMinor - refundsMinor };
}
