import { isCalendarDate } from '#domain';
import { validationProblem, type FieldError } from '#http';

/**
 * What every marketing and sales report is asked for: a range of UTC calendar days, both ends
 * inclusive, compared with each figure's business date (when the click, registration, sale or
 * refund happened, not when it was recorded), and the currency its money figures are in: reports
 * never add up amounts of different currencies.
 */
export interface ReportRange {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
}

/** A range covers at most ten years: daily aggregates of a range stay a bounded read. */
export const MAX_RANGE_DAYS = 3_660;

const CURRENCY = /^[A-Z]{3}$/;

/** What is wrong with `range`, field by field (the route's own parameters come on top). */
export function rangeErrors(range: ReportRange): FieldError[] {
  const errors: FieldError[] = [];
  const dates = (['from', 'to'] as const).filter((field) => {
    if (isCalendarDate(range[field])) return true;
    errors.push({ field, message: 'must be a calendar date (YYYY-MM-DD)' });
    return false;
  });
  if (dates.length === 2) {
    const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000;
    if (days < 0) errors.push({ field: 'to', message: 'must not be before from' });
    else if (days > MAX_RANGE_DAYS) errors.push({ field: 'to', message: `the range spans at most ${MAX_RANGE_DAYS} days` });
  }
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
