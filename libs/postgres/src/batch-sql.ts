import { sql, type Insertable, type Kysely, type RawBuilder, type SqlBool } from 'kysely';

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

/** How a multi-row insert meets a row already stored under the same key; no column to change: the stored row stays. */
export interface OnConflict<Row> {
  /** The conflict target (the primary key). */
  readonly key: readonly (keyof Row & string)[];
  /** Columns the new row's value replaces. */
  readonly set?: readonly (keyof Row & string)[];
  /** Columns the new row's value replaces unless it is null: a null leaves the stored value. */
  readonly setUnlessNull?: readonly (keyof Row & string)[];
  /** Counters the new row's value is added to. */
  readonly add?: readonly (keyof Row & string)[];
}

/**
 * Inserts `rows` into `table` in multi-row statements ({@link inChunks}). Without `onConflict` a
 * row already stored is an error: rows applied once (their stream's revision guards them) never
 * conflict unless there is a bug, so the batch fails.
 */
export async function insertRows<DB, T extends keyof DB & string>(db: Kysely<DB>, table: T, rows: readonly Insertable<DB[T]>[], onConflict?: OnConflict<DB[T]>): Promise<void> {
  // The table is a type parameter here: the callers' rows and columns are typed, the builder is not.
  const untyped = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const name: string = table;
  await inChunks(rows, (chunk) => {
    const insert = untyped.insertInto(name).values(chunk as Record<string, unknown>[]);
    if (onConflict === undefined) return insert.execute();
    const { key, set = [], setUnlessNull = [], add = [] } = onConflict;
    return insert
      .onConflict((conflict) => {
        const target = conflict.columns(key);
        if (set.length + setUnlessNull.length + add.length === 0) return target.doNothing();
        return target.doUpdateSet((eb) => ({
          ...Object.fromEntries(set.map((column) => [column, eb.ref(`excluded.${column}`)])),
          ...Object.fromEntries(setUnlessNull.map((column) => [column, eb.fn.coalesce(eb.ref(`excluded.${column}`), eb.ref(`${name}.${column}`))])),
          ...Object.fromEntries(add.map((column) => [column, eb(`${name}.${column}`, '+', eb.ref(`excluded.${column}`))])),
        }));
      })
      .execute();
  });
}

/** The rows `load` finds for `keys`; none, without a query, when there is no key. */
export async function byKeys<K, R>(keys: readonly K[], load: (keys: readonly K[]) => Promise<R[]>): Promise<R[]> {
  return keys.length === 0 ? [] : load(keys);
}

/** `= any($1)`: one parameter however many values. */
export function anyOf(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${[...values]}::text[])`;
}

/**
 * `(columns) in (rows)`, the rows passed as one array per column (a fixed number of parameters
 * however many rows). A column is text unless given with its type.
 */
export function inRows(columns: readonly (string | readonly [string, 'date'])[], rows: readonly (readonly string[])[]): RawBuilder<SqlBool> {
  const names = columns.map((column) => (typeof column === 'string' ? column : column[0]));
  const arrays = columns.map((column, i) => sql`${rows.map((row) => row[i])}::${sql.raw(typeof column === 'string' ? 'text' : column[1])}[]`);
  return sql<SqlBool>`(${sql.join(names.map((name) => sql.ref(name)))}) in (select * from unnest(${sql.join(arrays)}))`;
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

/** Appends `value` to the list of `map` under `key` (a new list: lists handed out before stay as they were). */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}
