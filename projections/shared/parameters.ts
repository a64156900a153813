import { isCalendarDate } from '#domain';
import { validationProblem, type FieldError } from '#http';
import { daysBetween, periodStart, today, type DateRange } from './calendar.js';

/**
 * The checks of the read models' query parameters: each says what is wrong with a parameter as
 * field errors, so that a query names every invalid field in one 400 ({@link check}).
 */

/**
 * What every marketing and sales report is asked for: a range of UTC calendar days, both ends
 * inclusive, compared with each figure's business date (when the click, registration, sale or
 * refund happened, not when it was recorded), and the currency its money figures are in: reports
 * never add up amounts of different currencies.
 */
export interface ReportRange extends DateRange {
  readonly currency: string;
}

/** A range whose missing ends default to the year to date: `to` today (UTC), `from` 1 January of `to`'s year. */
export function yearToDate(range: Partial<DateRange>): DateRange {
  const to = range.to ?? today();
  return { from: range.from ?? periodStart('year', to), to };
}

/** A range covers at most ten years: daily aggregates of a range stay a bounded read. */
export const MAX_RANGE_DAYS = 3_660;

const CURRENCY = /^[A-Z]{3}$/;

/** A calendar date parameter (absent: nothing wrong), else its error. */
export function dateErrors(field: string, value: string | undefined): FieldError[] {
  return value === undefined || isCalendarDate(value) ? [] : [{ field, message: 'must be a calendar date (YYYY-MM-DD)' }];
}

/** What is wrong with the dates of `range`: each a calendar date, `to` not before `from`, at most {@link MAX_RANGE_DAYS} apart. */
export function dateRangeErrors(range: DateRange): FieldError[] {
  const errors = [...dateErrors('from', range.from), ...dateErrors('to', range.to)];
  if (errors.length === 0) {
    const days = daysBetween(range.from, range.to);
    if (days < 0) errors.push({ field: 'to', message: 'must not be before from' });
    else if (days > MAX_RANGE_DAYS) errors.push({ field: 'to', message: `the range spans at most ${MAX_RANGE_DAYS} days` });
  }
  return errors;
}

/** What is wrong with a report's `range`, field by field (the route's own parameters come on top). */
export function rangeErrors(range: ReportRange): FieldError[] {
  const errors = dateRangeErrors(range);
  if (!CURRENCY.test(range.currency)) errors.push({ field: 'currency', message: 'must be an ISO 4217 code (3 capital letters)' });
  return errors;
}

/** An integer parameter within bounds, else its error. */
export function integerErrors(field: string, value: number, min: number, max: number): FieldError[] {
  return Number.isInteger(value) && value >= min && value <= max ? [] : [{ field, message: `must be an integer from ${min} to ${max}` }];
}

/** A parameter that must be one of `values`, else its error. */
export function oneOfErrors(field: string, value: string, values: readonly string[]): FieldError[] {
  return values.includes(value) ? [] : [{ field, message: `must be one of ${values.join(', ')}` }];
}

/** Throws the 400 naming every invalid field, if any. */
export function check(errors: readonly FieldError[]): void {
  if (errors.length > 0) throw validationProblem(errors);
}
