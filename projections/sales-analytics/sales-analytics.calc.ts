import { AGE_BANDS, type AgeBand } from '#customers/domain';
import { addDays, periodStart } from '../shared/calendar.js';
import type { EffectiveDated } from '../shared/in-force.js';
import { lineAmount, mulDivHalfUp, percentOf } from '../shared/money.js';

/** A product's list price and unit cost from a day on (the listing's, then each change's); the one in force on a date is the shared inForceOn's. */
export interface PriceEntry extends EffectiveDated {
  readonly listPriceMinor: number;
  readonly unitCostMinor: number;
}

/** The demographics an age band comes from: the band given, else the birth year. */
export interface AgeFacts {
  readonly ageBand?: AgeBand;
  readonly birthYear?: number;
}

/**
 * The age band on `date` (`YYYY-MM-DD`): the band the customer gave, else the band of the age they
 * reach in that year (year - birth year); null when neither is known or they are under 18.
 */
export function ageBandOn(facts: AgeFacts, date: string): AgeBand | null {
  if (facts.ageBand !== undefined) return facts.ageBand;
  if (facts.birthYear === undefined) return null;
  const age = Number(date.slice(0, 4)) - facts.birthYear;
  // Bands are "lo-hi" or "lo+", ascending: the last whose lower bound the age reaches.
  return AGE_BANDS.findLast((band) => age >= Number.parseInt(band, 10)) ?? null;
}

/** What a line adds to its product's price figures. */
export interface PricedUnits {
  readonly quantity: number;
  readonly unitPriceMinor: number;
  /** The list price in force on the sale's date, in the sale's currency; null when unknown. */
  readonly listPriceMinor: number | null;
}

/** Units sold with a known list price, and their list value: the discount's base. */
export function listValue(line: PricedUnits): { listUnits: number; listAmountMinor: number } {
  return line.listPriceMinor === null ? { listUnits: 0, listAmountMinor: 0 } : { listUnits: line.quantity, listAmountMinor: lineAmount(line.quantity, line.listPriceMinor) };
}

/** The average discount of units sold below (or, negative, above) their list price. */
export interface Discount {
  /** Per unit, rounded half up. */
  readonly perUnitMinor: number;
  /** Of the list value, percent to one decimal. */
  readonly pct: number | null;
}

/** `listAmountMinor` of `listUnits` units, sold for `soldAmountMinor`; null without such units. */
export function averageDiscount(listUnits: number, listAmountMinor: number, soldAmountMinor: number): Discount | null {
  if (listUnits <= 0) return null;
  const discount = listAmountMinor - soldAmountMinor;
  return { perUnitMinor: mulDivHalfUp(discount, 1, listUnits), pct: percentOf(discount, listAmountMinor) };
}

/** A price point: the bucket of `widthMinor` holding a unit price, both ends inclusive. */
export function priceBucket(unitPriceMinor: number, widthMinor: number): { fromMinor: number; toMinor: number } {
  const fromMinor = Math.floor(unitPriceMinor / widthMinor) * widthMinor;
  return { fromMinor, toMinor: fromMinor + widthMinor - 1 };
}

export const TREND_INTERVALS = ['month', 'week'] as const;
export type TrendInterval = (typeof TREND_INTERVALS)[number];

/** The first day of the period after the one starting on `start`. */
export function nextPeriodStart(interval: TrendInterval, start: string): string {
  if (interval === 'week') return addDays(start, 7);
  const [year, month] = start.split('-').map(Number);
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/**
 * The period a year before the one starting on `start`: the same month of the year before, or
 * the week 52 weeks before (the same weekdays, so weeks compare like with like).
 */
export function yearBefore(interval: TrendInterval, start: string): string {
  if (interval === 'week') return addDays(start, -52 * 7);
  return `${Number(start.slice(0, 4)) - 1}${start.slice(4)}`;
}

/** The whole periods a trend covers: from the one containing `from` to the one containing `to`, and the same a year before (ends exclusive). */
export function trendRanges(interval: TrendInterval, from: string, to: string) {
  const start = periodStart(interval, from);
  const until = nextPeriodStart(interval, periodStart(interval, to));
  return { start, until, startBefore: yearBefore(interval, start), untilBefore: yearBefore(interval, until) };
}

/** The segments profitability is shown by, as query parameter values. */
export const PROFIT_SEGMENTS = ['region', 'industry', 'age-band'] as const;
export type ProfitSegment = (typeof PROFIT_SEGMENTS)[number];

/** The dimensions of the demographics report. */
export const DEMOGRAPHIC_DIMENSIONS = ['ageBand', 'gender', 'region', 'industry', 'companySize'] as const;
export type DemographicDimension = (typeof DEMOGRAPHIC_DIMENSIONS)[number];
