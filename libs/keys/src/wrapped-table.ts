import { sql, type Kysely } from 'kysely';
import { UnknownMasterKeyError, wrapContext, type MasterKey, type MasterKeyring } from './master-key.js';

/**
 * A table holding values wrapped by the master key, described for what works on every such table
 * alike: the start's check that the keys are held, and the rotation to a new master key. Its
 * owner declares it; the table needs an index on `wrappedBy`.
 */
export interface WrappedTable {
  /** Schema-qualified, e.g. `personal_data.data_keys`. */
  readonly table: string;
  /** The columns naming a row (its primary key): their text, in order, is bound into each wrapped value. */
  readonly rowKey: readonly string[];
  /** What the values are, bound into each wrapped value too (no value opens as another kind). */
  readonly purpose: string;
  /** The wrapped value (bytea) and the id of the master key that wrapped it (text), both null once erased. */
  readonly wrapped: string;
  readonly wrappedBy: string;
  /** The row in messages, from its key's text. */
  describe(rowKey: readonly string[]): string;
}

export function wrapRow(table: WrappedTable, key: MasterKey, rowKey: readonly string[], plaintext: Buffer): Buffer {
  return key.wrap(plaintext, wrapContext(table.purpose, rowKey));
}

export function unwrapRow(table: WrappedTable, keyring: MasterKeyring, rowKey: readonly string[], wrappedBy: string, wrapped: Buffer): Buffer {
  return keyring.unwrap(wrappedBy, wrapped, wrapContext(table.purpose, rowKey), table.describe(rowKey));
}

// The table is named by its owner at run time, so these statements are built from identifiers
// (sql.table, sql.ref) rather than a typed schema; their rows are typed by hand.

/** Which master keys wrap at least one row: a loose index scan, one index probe per key however many rows. */
export async function wrappingKeyIds(db: Kysely<unknown>, table: WrappedTable): Promise<string[]> {
  const t = sql.table(table.table);
  const by = sql.ref(table.wrappedBy);
  const { rows } = await sql<{ id: string }>`
    with recursive ids(id) as (
      (select ${by} from ${t} where ${by} is not null order by ${by} limit 1)
      union all
      select (select ${by} from ${t} where ${by} > ids.id order by ${by} limit 1) from ids where ids.id is not null
    )
    select id from ids where id is not null`.execute(db);
  return rows.map((row) => row.id);
}

/** Refuses (with {@link UnknownMasterKeyError}) when a row of `tables` is wrapped by a key the keyring does not hold. */
export async function assertMasterKeysHeld(db: Kysely<unknown>, tables: readonly WrappedTable[], keyring: MasterKeyring): Promise<void> {
  for (const table of tables) {
    const unknown = (await wrappingKeyIds(db, table)).find((id) => !keyring.ids.includes(id));
    if (unknown !== undefined) throw new UnknownMasterKeyError(unknown, `a row of ${table.table}`, keyring.ids);
  }
}

export async function countWrappedBy(db: Kysely<unknown>, table: WrappedTable, keyId: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    select count(*)::int as count from ${sql.table(table.table)} where ${sql.ref(table.wrappedBy)} = ${keyId}`.execute(db);
  return rows[0].count;
}

/**
 * Re-wraps, in one transaction, up to `limit` rows wrapped by `fromId` (a key of `keyring`) under
 * `to`; returns how many (0: none is left). Rows re-wrapped leave the selection, so a batch needs no
 * cursor, and rows added meanwhile under the old key are found by a later batch. The rows are
 * locked while the batch runs: an erasure waits for it, then deletes the re-wrapped value.
 */
export async function rewrapBatch(db: Kysely<unknown>, table: WrappedTable, keyring: MasterKeyring, fromId: string, to: MasterKey, limit: number): Promise<number> {
  const t = sql.table(table.table);
  const keyColumns = table.rowKey.map((column) => sql.ref(column));
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ row_key: string[]; wrapped: Buffer }>`
      select array[${sql.join(keyColumns.map((column) => sql`${column}::text`))}] as row_key, ${sql.ref(table.wrapped)} as wrapped
      from ${t} where ${sql.ref(table.wrappedBy)} = ${fromId}
      order by ${sql.join(keyColumns)} limit ${limit} for update`.execute(trx);
    if (rows.length === 0) return 0;
    const rewrapped = rows.map((row) => wrapRow(table, to, row.row_key, unwrapRow(table, keyring, row.row_key, fromId, row.wrapped)));
    const keyArrays = table.rowKey.map((_, i) => sql`${rows.map((row) => row.row_key[i])}::text[]`);
    const keyNames = table.rowKey.map((_, i) => sql.raw(`k${i}`));
    await sql`
      update ${t} set ${sql.ref(table.wrapped)} = v.wrapped, ${sql.ref(table.wrappedBy)} = ${to.id}
      from unnest(${sql.join([...keyArrays, sql`${rewrapped}::bytea[]`])}) as v(${sql.join([...keyNames, sql.raw('wrapped')])})
      where ${sql.join(
        table.rowKey.map((column, i) => sql`${t}.${sql.ref(column)}::text = v.${keyNames[i]}`),
        sql` and `,
      )} and ${t}.${sql.ref(table.wrappedBy)} = ${fromId}`.execute(trx);
    return rows.length;
  });
}
