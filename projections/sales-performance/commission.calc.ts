import type { CategoryRate, CommissionTier, GoalPeriod } from '#sales/domain';
import type { EffectiveDated } from '../shared/in-force.js';
import { mulDivHalfUp } from '../shared/money.js';

export const PERIOD_KINDS = ['day', 'month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** The periods a tier threshold counts revenue in (a goal's periods). */
export const TIER_PERIODS: readonly GoalPeriod[] = ['month', 'quarter', 'year'];

const BPS_PER_UNIT = 10_000;

/** A commission plan as the projection keeps it (the fields of CommissionPlanSet it uses): the plan in force on a date is the shared inForceOn's. */
export interface Plan extends EffectiveDated {
  readonly planId: string;
  readonly baseRateBps: number;
  readonly categoryRates: readonly CategoryRate[];
  readonly tiers: readonly CommissionTier[];
  readonly tierPeriod?: GoalPeriod;
  readonly currency?: string;
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
  return { amountMinor, rateBps, commissionMinor: mulDivHalfUp(amountMinor, rateBps, BPS_PER_UNIT) };
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
  const share = mulDivHalfUp(line.commissionMinor, refundMinor, line.amountMinor);
  return Math.max(0, Math.min(share, line.commissionMinor - line.commissionReversedMinor));
}
