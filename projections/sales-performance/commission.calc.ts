/**
 * The money, tier and period arithmetic of the sales-performance read model: pure functions, no
 * I/O. Amounts are integer minor units; products of amounts and rates are taken in BigInt so they
 * never lose a cent, whatever their size.
 */
import type { CategoryRate, CommissionTier, GoalPeriod } from '#domain';

export const PERIOD_KINDS = ['day', 'month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** The periods a tier threshold counts revenue in (a goal's periods). */
export const TIER_PERIODS: readonly GoalPeriod[] = ['month', 'quarter', 'year'];

const BPS_PER_UNIT = 10_000n;
const CALENDAR_DATE = /^(\d{4})-(\d\d)-(\d\d)$/;

/** The UTC calendar date (`YYYY-MM-DD`) of an ISO 8601 time; throws on a time that is not one. */
export function utcDate(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${time}`);
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first day of the `kind` period (UTC calendar) that contains `date` (`YYYY-MM-DD`). */
export function periodStart(kind: PeriodKind, date: string): string {
  const match = CALENDAR_DATE.exec(date);
  if (match === null) throw new RangeError(`not a calendar date: ${date}`);
  const [, year, month] = match;
  switch (kind) {
    case 'day':
      return date;
    case 'month':
      return `${year}-${month}-01`;
    case 'quarter':
      return `${year}-${String(Math.floor((Number(month) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
    case 'year':
      return `${year}-01-01`;
  }
}

/** `numerator / denominator` rounded half up (towards +infinity on a tie); `denominator` > 0. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  // floor((2n + d) / 2d), with a floor division (BigInt division truncates towards zero).
  const dividend = 2n * numerator + denominator;
  const divisor = 2n * denominator;
  const quotient = dividend / divisor;
  return dividend % divisor < 0n ? quotient - 1n : quotient;
}

/** A commission plan as the projection keeps it (the fields of CommissionPlanSet it uses). */
export interface Plan {
  readonly planId: string;
  /** Calendar date, inclusive. */
  readonly effectiveFrom: string;
  readonly baseRateBps: number;
  readonly categoryRates: readonly CategoryRate[];
  readonly tiers: readonly CommissionTier[];
  readonly tierPeriod?: GoalPeriod;
  readonly currency?: string;
}

/**
 * The plan in force on `date`: the latest `effectiveFrom` on or before it; of plans with the same
 * date, the one seen last. `plans` are in log order, so a rebuild picks the same plan.
 */
export function planInForce(plans: readonly Plan[], date: string): Plan | undefined {
  let inForce: Plan | undefined;
  for (const plan of plans) {
    if (plan.effectiveFrom <= date && (inForce === undefined || plan.effectiveFrom >= inForce.effectiveFrom)) inForce = plan;
  }
  return inForce;
}

/** quantity * unit price; throws rather than round an amount beyond exact JS integers. */
export function lineAmount(quantity: number, unitPriceMinor: number): number {
  const amount = quantity * unitPriceMinor;
  if (!Number.isSafeInteger(amount)) throw new RangeError(`line amount ${quantity} x ${unitPriceMinor} is not an exact integer`);
  return amount;
}

/** A part of a sale line's amount earning one rate. */
export interface Segment {
  readonly amountMinor: number;
  readonly rateBps: number;
  readonly commissionMinor: number;
}

/** A sale line as commission sees it. */
export interface LineToPay {
  readonly amountMinor: number;
  readonly category?: string;
  readonly currency: string;
}

/** The tier period of a plan that has tiers in `currency`, else undefined: tiers do not apply. */
export function tierPeriodFor(plan: Plan, currency: string): GoalPeriod | undefined {
  return plan.tiers.length > 0 && plan.currency === currency ? plan.tierPeriod : undefined;
}

/**
 * The commission of one sale line under `plan`, split into segments. `progressMinor`: the rep's
 * gross revenue in the plan's currency within the plan's tier period before this line (ignored when
 * tiers do not apply). The line's own rate (its category's, else the base rate) applies up to the
 * first threshold; the part above a threshold earns that tier's rate (the highest threshold passed),
 * a line crossing a threshold being split at it. Each segment is rounded half up on its own.
 */
export function lineCommission(plan: Plan, line: LineToPay, progressMinor: number): Segment[] {
  const lineRate = plan.categoryRates.find((rate) => rate.category === line.category)?.rateBps ?? plan.baseRateBps;
  const tiers = tierPeriodFor(plan, line.currency) === undefined ? [] : [...plan.tiers].sort((a, b) => a.thresholdMinor - b.thresholdMinor);
  const end = progressMinor + line.amountMinor;
  const segments: Segment[] = [];
  for (let from = progressMinor; from < end; ) {
    // The rate at `from` holds up to the next threshold above it.
    const passed = tiers.filter((tier) => tier.thresholdMinor <= from).at(-1);
    const next = tiers.find((tier) => tier.thresholdMinor > from);
    const to = next === undefined ? end : Math.min(end, next.thresholdMinor);
    segments.push(segment(to - from, passed?.rateBps ?? lineRate));
    from = to;
  }
  return segments;
}

function segment(amountMinor: number, rateBps: number): Segment {
  return { amountMinor, rateBps, commissionMinor: Number(roundHalfUp(BigInt(amountMinor) * BigInt(rateBps), BPS_PER_UNIT)) };
}

export function totalCommission(segments: readonly Segment[]): number {
  return segments.reduce((sum, part) => sum + part.commissionMinor, 0);
}

/** What a sale line earned and how much of it refunds took back so far. */
export interface PaidLine {
  readonly amountMinor: number;
  readonly commissionMinor: number;
  readonly commissionReversedMinor: number;
}

/**
 * The commission a refund of `refundMinor` of a line takes back: its share of the line's commission
 * (rounded half up), never more than what earlier refunds left of it.
 */
export function refundReversal(line: PaidLine, refundMinor: number): number {
  if (line.amountMinor <= 0 || refundMinor <= 0) return 0;
  const share = Number(roundHalfUp(BigInt(line.commissionMinor) * BigInt(refundMinor), BigInt(line.amountMinor)));
  return Math.max(0, Math.min(share, line.commissionMinor - line.commissionReversedMinor));
}

/** Goal attainment in percent, one decimal; null without a (positive) target. */
export function attainmentPct(actual: number, target: number | null): number | null {
  if (target === null || target <= 0) return null;
  return Number(roundHalfUp(BigInt(actual) * 1000n, BigInt(target))) / 10;
}
