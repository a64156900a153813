import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * SQL helpers for set-based batch handlers: a batch loads what it needs with a few SELECTs whatever
 * its size (one array parameter per column), and writes in a few multi-row statements.
 */

/** Rows per multi-row statement: with at most ~20 parameters a row, far below PostgreSQL's 65,535 per statement. */
const ROWS_PER_STATEMENT = 1_000;

/** Writes `rows` in statements of at most {@link ROWS_PER_STATEMENT} rows. */
export async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await write(rows.slice(i, i + ROWS_PER_STATEMENT));
}

/** `= any($1)`: one parameter however many values. */
export function anyOf(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${[...values]}::text[])`;
}

/** `(columns) in (rows)`, the rows passed as one text array per column (a fixed number of parameters however many rows). */
export function inRows(columns: readonly string[], rows: readonly (readonly string[])[]): RawBuilder<SqlBool> {
  const arrays = columns.map((_, i) => sql`${rows.map((row) => row[i])}::text[]`);
  return sql<SqlBool>`(${sql.join(columns.map((column) => sql.ref(column)))}) in (select * from unnest(${sql.join(arrays)}))`;
}

/** A map key of several parts (JSON: no separator can be forged by a part). */
export function keyOf(...parts: readonly (string | number)[]): string {
  return JSON.stringify(parts);
}

/** The distinct defined values, in first-seen order. */
export function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value) => value !== undefined))];
}

/** Adds `increments` into the counters of `map` under `key`, starting from `initial` the first time. */
export function addInto<R extends object>(map: Map<string, R>, key: string, initial: () => R, increments: Partial<Record<keyof R, number>>): void {
  const row = map.get(key) ?? initial();
  const counters = row as Record<keyof R, unknown>;
  for (const [field, amount] of Object.entries(increments) as [keyof R, number][]) counters[field] = (counters[field] as number) + amount;
  map.set(key, row);
}
