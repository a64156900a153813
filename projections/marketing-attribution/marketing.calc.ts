/**
 * The arithmetic of the marketing reports: pure functions, no I/O. Money is integer minor units;
 * shares are split with integer arithmetic (BigInt) so that they add up exactly to what is split.
 */
import { moneyOf, mulDivHalfUp, percentOf } from '../shared/money.js';

export const ATTRIBUTION_MODELS = ['first-touch', 'last-touch', 'linear'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

/**
 * Who clicked or touched: a customer, or an anonymous visitor nobody has identified (yet). One
 * text key, so a visitor's rows can be re-keyed to the customer who turns out to be them.
 */
export const customerProspect = (customerId: string): string => `c:${customerId}`;
export const visitorProspect = (visitorId: string): string => `v:${visitorId}`;

/** What a click, visit, form or registration says brought the person. */
export interface SourceRef {
  readonly campaignId?: string;
  readonly adId?: string;
  readonly affiliateSiteId?: string;
}

/**
 * The campaign a reference counts for: its campaignId, else the campaign of its ad when exactly
 * one campaign known so far lists that ad id (ad ids are only unique within a campaign).
 */
export function campaignOf(ref: SourceRef, campaignsListingAd: (adId: string) => readonly string[]): string | undefined {
  if (ref.campaignId !== undefined) return ref.campaignId;
  if (ref.adId === undefined) return undefined;
  const campaigns = campaignsListingAd(ref.adId);
  return campaigns.length === 1 ? campaigns[0] : undefined;
}

/**
 * How a conversion's credit is shared among the campaigns of its touches (oldest first, one entry
 * per touch): first-touch gives it all to the oldest, last-touch to the latest, linear one share
 * per touch (a campaign touching twice gets two). Campaigns in the order first touched; no touch,
 * no credit.
 */
export function touchCredits(model: AttributionModel, campaigns: readonly string[]): [campaignId: string, weight: number][] {
  if (campaigns.length === 0) return [];
  switch (model) {
    case 'first-touch':
      return [[campaigns[0], 1]];
    case 'last-touch':
      return [[campaigns[campaigns.length - 1], 1]];
    case 'linear': {
      const weights = new Map<string, number>();
      for (const campaign of campaigns) weights.set(campaign, (weights.get(campaign) ?? 0) + 1);
      return [...weights];
    }
  }
}

/**
 * Splits an integer `amount` in proportion to `weights` (largest remainder): each part is the floor
 * of its exact share, and what the floors leave goes one unit each to the largest remainders, the
 * earlier entry first on a tie. The parts add up to `amount` exactly; a negative amount is split
 * as its absolute value, negated.
 */
export function allocate(amount: number, weights: readonly (readonly [string, number])[]): Map<string, number> {
  const total = weights.reduce((sum, [, weight]) => sum + BigInt(weight), 0n);
  if (total <= 0n) throw new RangeError('weights must add up to more than zero');
  const sign = amount < 0 ? -1n : 1n;
  const whole = BigInt(amount) * sign;
  const parts = weights.map(([key, weight], order) => {
    const exact = whole * BigInt(weight);
    return { key, order, floor: exact / total, remainder: exact % total };
  });
  let left = whole - parts.reduce((sum, part) => sum + part.floor, 0n);
  const byRemainder = [...parts].sort((a, b) => (a.remainder === b.remainder ? a.order - b.order : a.remainder > b.remainder ? -1 : 1));
  for (const part of byRemainder) {
    if (left === 0n) break;
    part.floor += 1n;
    left -= 1n;
  }
  const shares = new Map<string, number>();
  for (const part of parts) shares.set(part.key, Number(part.floor * sign) + (shares.get(part.key) ?? 0));
  return shares;
}

/** Fractional conversions (linear) are split in ten-thousandths: credits add up to whole conversions exactly. */
export const CONVERSION_UNITS = 10_000;

/** Purchases and refunds whose purchase had the same touches in the window, oldest first. */
export interface TouchGroup {
  readonly campaigns: readonly string[];
  /** First purchases among them. */
  readonly conversions: number;
  /** Purchases, in the report's currency. */
  readonly revenueMinor: number;
  /** Refunds of such purchases, in the report's currency (positive). */
  readonly refundsMinor: number;
}

/** A campaign's share under a model; `campaignId` null: purchases without a touch in the window. */
export interface CampaignCredit {
  readonly campaignId: string | null;
  /** Credited conversions, to four decimals (linear shares are fractions). */
  readonly conversions: number;
  readonly revenueMinor: number;
  readonly refundsMinor: number;
  readonly netRevenueMinor: number;
}

/**
 * Credits each group's conversions and money to campaigns under `model`. A group is split as a
 * whole (one rounding per group, not per purchase), so every figure adds up over the campaigns to
 * the group totals exactly. Campaigns by id; the unattributed row (null) last.
 */
export function attribute(model: AttributionModel, groups: readonly TouchGroup[]): CampaignCredit[] {
  const sums = new Map<string | null, { conversions: number; revenueMinor: number; refundsMinor: number }>();
  const add = (campaignId: string | null, conversions: number, revenueMinor: number, refundsMinor: number) => {
    const sum = sums.get(campaignId) ?? { conversions: 0, revenueMinor: 0, refundsMinor: 0 };
    sums.set(campaignId, { conversions: sum.conversions + conversions, revenueMinor: sum.revenueMinor + revenueMinor, refundsMinor: sum.refundsMinor + refundsMinor });
  };
  for (const group of groups) {
    const credits = touchCredits(model, group.campaigns);
    if (credits.length === 0) {
      add(null, group.conversions * CONVERSION_UNITS, group.revenueMinor, group.refundsMinor);
      continue;
    }
    const conversions = allocate(group.conversions * CONVERSION_UNITS, credits);
    const revenue = allocate(group.revenueMinor, credits);
    const refunds = allocate(group.refundsMinor, credits);
    for (const [campaignId] of credits) add(campaignId, conversions.get(campaignId) ?? 0, revenue.get(campaignId) ?? 0, refunds.get(campaignId) ?? 0);
  }
  return [...sums]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([campaignId, sum]) => ({
      campaignId,
      conversions: sum.conversions / CONVERSION_UNITS,
      ...moneyOf(sum.revenueMinor, sum.refundsMinor),
    }));
}

/** Conversions per lead, in percent to one decimal; null without leads. */
export function conversionRatePct(conversions: number, leads: number): number | null {
  return percentOf(conversions, leads);
}

/** The campaign's budget per conversion, rounded half up; null without conversions. */
export function costPerConversion(budgetMinor: number, conversions: number): number | null {
  return conversions <= 0 ? null : mulDivHalfUp(budgetMinor, 1, conversions);
}
