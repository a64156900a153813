/**
 * UTC calendar dates (`YYYY-MM-DD`) and the periods containing them: pure functions, no I/O. Every
 * read model dates its figures by the UTC calendar day of their business time.
 */

/** A range of UTC calendar days, both ends inclusive. */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

/** The calendar periods a date can be taken to the start of; weeks are ISO weeks (Monday to Sunday). */
export type CalendarPeriod = 'day' | 'week' | 'month' | 'quarter' | 'year';

const DAY_MS = 86_400_000;
const CALENDAR_DATE = /^(\d{4})-(\d\d)-(\d\d)$/;

const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The UTC calendar date (`YYYY-MM-DD`) of an ISO 8601 time; throws on a time that is not one. */
export function utcDate(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${time}`);
  return dateOf(ms);
}

/** Today's UTC calendar date. */
export function today(): string {
  return utcDate(new Date().toISOString());
}

/** The first day of the `kind` period (UTC calendar) that contains `date` (`YYYY-MM-DD`); as PostgreSQL's date_trunc. */
export function periodStart(kind: CalendarPeriod, date: string): string {
  const match = CALENDAR_DATE.exec(date);
  if (match === null) throw new RangeError(`not a calendar date: ${date}`);
  const [, year, month] = match;
  switch (kind) {
    case 'day':
      return date;
    case 'week':
      return addDays(date, -((new Date(Date.parse(date)).getUTCDay() + 6) % 7));
    case 'month':
      return `${year}-${month}-01`;
    case 'quarter':
      return `${year}-${String(Math.floor((Number(month) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
    case 'year':
      return `${year}-01-01`;
  }
}

/** The calendar date `days` days after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return dateOf(Date.parse(date) + days * DAY_MS);
}

/** Days from `from` to `to` (negative when `to` is before `from`). */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / DAY_MS;
}
