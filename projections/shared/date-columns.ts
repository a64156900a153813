import { sql, type ColumnType, type RawBuilder, type SqlBool } from 'kysely';
import type { DateRange } from './calendar.js';

/**
 * A PostgreSQL `date`, written as `YYYY-MM-DD`. Read it with {@link calendarDate} and compare it
 * with {@link dateValue}: node-postgres turns a date into a Date at local midnight, and a Date
 * parameter into a timestamp.
 */
export type CalendarDate = ColumnType<Date, string, string>;

/** A date column as `YYYY-MM-DD`. */
export function calendarDate(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;
}

/** A `YYYY-MM-DD` parameter as a date, to compare with a date column. */
export function dateValue(date: string): RawBuilder<Date> {
  return sql<Date>`${date}::date`;
}

/** `column` (a date) within `range`, both ends inclusive. */
export function withinDates(column: string, range: DateRange): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} >= ${dateValue(range.from)} and ${sql.ref(column)} <= ${dateValue(range.to)}`;
}
