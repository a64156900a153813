import { Kysely, PostgresDialect, sql, type NotNull } from 'kysely';
import type pg from 'pg';
import { wrapRow, type MasterKeyring } from '#keys';
import { borrowedPool } from '#postgres';
import { DATA_KEYS_TABLE } from './data-key-store.js';

/** The table as it is before the upgrade: keys in the clear in `data_key`. */
interface PlaintextDataKeysTable {
  stream_id: string;
  generation: number;
  data_key: Buffer | null;
  wrapped_key: Buffer | null;
  wrapped_by: string | null;
}

// Advisory-lock namespace of the upgrade ("wrap"): one process wraps at a time.
const UPGRADE_LOCK_SPACE = 0x77726170;

const BATCH_SIZE = 1_000;

/**
 * The upgrade of a database whose data keys were stored in the clear: wraps each by the current
 * master key, then drops the plaintext column, so no key is left readable without the master key.
 * A migration cannot do it (it has no key), so every start runs this once its migrations are
 * applied (prepareDatabase); once the column is gone it is a single catalog lookup. Batches are
 * transactions of their own under an advisory lock: a crash keeps what was wrapped and the next
 * start carries on, and processes starting together take turns. Returns how many keys it wrapped.
 */
export async function wrapPlaintextDataKeys(pool: pg.Pool, masterKeys: MasterKeyring): Promise<number> {
  const db = new Kysely<{ 'personal_data.data_keys': PlaintextDataKeysTable }>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  const key = masterKeys.current;
  let wrapped = 0;
  try {
    for (;;) {
      const batch = await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${UPGRADE_LOCK_SPACE}, 0)`.execute(trx);
        const { rows: column } = await sql<{ present: boolean }>`
          select exists (
            select 1 from pg_attribute
            where attrelid = 'personal_data.data_keys'::regclass and attname = 'data_key' and not attisdropped
          ) as present`.execute(trx);
        if (!column[0].present) return 0;
        const rows = await trx
          .selectFrom('personal_data.data_keys')
          .select(['stream_id', 'generation', 'data_key'])
          .where('data_key', 'is not', null)
          .$narrowType<{ data_key: NotNull }>()
          .orderBy('stream_id')
          .orderBy('generation')
          .limit(BATCH_SIZE)
          .forUpdate()
          .execute();
        if (rows.length === 0) {
          // Dropping the column drops its constraints; this one says the same of the wrapped key.
          await sql`
            alter table personal_data.data_keys
              drop column data_key,
              add constraint data_keys_key_or_erased check ((wrapped_key is null) = (erased_at is not null))`.execute(trx);
          return 0;
        }
        const wrappedKeys = rows.map((row) => wrapRow(DATA_KEYS_TABLE, key, [row.stream_id, String(row.generation)], row.data_key));
        await sql`
          update personal_data.data_keys as k
          set wrapped_key = v.wrapped_key, wrapped_by = ${key.id}, data_key = null
          from unnest(${rows.map((row) => row.stream_id)}::text[], ${rows.map((row) => row.generation)}::int[], ${wrappedKeys}::bytea[])
            as v(stream_id, generation, wrapped_key)
          where k.stream_id = v.stream_id and k.generation = v.generation`.execute(trx);
        return rows.length;
      });
      if (batch === 0) return wrapped;
      wrapped += batch;
    }
  } finally {
    await db.destroy();
  }
}
