import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type ColumnType, type ExpressionBuilder, type Generated } from 'kysely';
import type pg from 'pg';
import { borrowedPool, createPool } from '#postgres';
import { StreamErasedError } from '../errors.js';
import { DATA_KEY_BYTES, type DataKey } from './cipher.js';

/** A stream's key generations: the key, or `null` once erased. */
export type StreamKeys = ReadonlyMap<number, Buffer | null>;

/**
 * Where the per-stream data keys live, outside the log.
 * Keys are stored as they are, not wrapped with a master key: whoever can read this table and the
 * log can read the personal data, so guard the database (and its backups) accordingly.
 */
export interface DataKeyStore {
  /**
   * The stream's usable key, created on first need; concurrent callers get the same key.
   * Throws {@link StreamErasedError} once the stream is sealed.
   */
  keyFor(streamId: string): Promise<DataKey>;
  /** Every key generation of each of `streamIds` (absent streams have none), in one query. */
  keysFor(streamIds: readonly string[]): Promise<ReadonlyMap<string, StreamKeys>>;
  /** Deletes the stream's usable key; `false` when it had none. A later {@link keyFor} creates a new one. */
  erase(streamId: string): Promise<boolean>;
  /**
   * Erases the stream's keys for good: deletes them, including one created while this runs, and
   * refuses every later {@link keyFor}. For a person whose erasure is on record. Idempotent.
   */
  seal(streamId: string): Promise<void>;
  close(): Promise<void>;
}

interface DataKeysTable {
  stream_id: string;
  generation: number;
  data_key: Buffer | null;
  created_at: Generated<Date>;
  erased_at: ColumnType<Date | null, Date | undefined, Date>;
  /** The stream's seal: a row without a key, after which the stream gets none. */
  sealed: Generated<boolean>;
}

export interface PersonalDataTables {
  'personal_data.data_keys': DataKeysTable;
}

export interface PostgresDataKeyStoreOptions {
  readonly connectionString: string;
  /** Shares a pool with the caller (it is not ended on close); otherwise the store makes its own. */
  readonly pool?: pg.Pool;
}

/** Rounds of "look, then create" before giving up; more than one only when an erase races a create. */
const MAX_CREATE_ATTEMPTS = 3;

/** Rounds of sealing; each lost one means a concurrent create or seal committed, which ends soon. */
const MAX_SEAL_ATTEMPTS = 20;

export class PostgresDataKeyStore implements DataKeyStore {
  readonly db: Kysely<PersonalDataTables>;

  constructor(options: PostgresDataKeyStoreOptions) {
    const pool = options.pool
      ? borrowedPool(options.pool)
      : createPool(options.connectionString, { applicationName: 'crm-personal-data' });
    this.db = new Kysely<PersonalDataTables>({ dialect: new PostgresDialect({ pool }) });
  }

  async keyFor(streamId: string): Promise<DataKey> {
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
      const existing = await this.db
        .selectFrom('personal_data.data_keys')
        .select(['generation', 'data_key', 'sealed'])
        .where('stream_id', '=', streamId)
        .where((eb) => eb.or([eb('data_key', 'is not', null), eb('sealed', '=', true)]))
        .execute();
      if (existing.some((row) => row.sealed)) throw new StreamErasedError(streamId);
      const live = existing.find((row) => row.data_key !== null);
      if (live?.data_key) return { generation: live.generation, key: live.data_key };

      // Separate statements, not one: after waiting on a concurrent writer's insert (a key or the
      // seal), only a new statement's snapshot sees what it committed.
      const created = await this.db
        .insertInto('personal_data.data_keys')
        .columns(['stream_id', 'generation', 'data_key'])
        .expression((eb) =>
          eb
            .selectFrom('personal_data.data_keys')
            .select([
              eb.val(streamId).as('stream_id'),
              nextGeneration(eb).as('generation'),
              eb.val(randomBytes(DATA_KEY_BYTES)).as('data_key'),
            ])
            .where('stream_id', '=', streamId)
            .having(notSealed),
        )
        .onConflict((oc) => oc.doNothing())
        .returning(['generation', 'data_key'])
        .executeTakeFirst();
      if (created?.data_key) return { generation: created.generation, key: created.data_key };
    }
    throw new Error(`no data key for stream ${streamId} after ${MAX_CREATE_ATTEMPTS} attempts: erased as fast as created`);
  }

  async keysFor(streamIds: readonly string[]): Promise<ReadonlyMap<string, StreamKeys>> {
    const keys = new Map<string, Map<number, Buffer | null>>();
    if (streamIds.length === 0) return keys;
    const rows = await this.db
      .selectFrom('personal_data.data_keys')
      .select(['stream_id', 'generation', 'data_key'])
      .where('stream_id', 'in', [...new Set(streamIds)])
      // A seal holds no key and no value names its generation.
      .where('sealed', '=', false)
      .execute();
    for (const row of rows) {
      let streamKeys = keys.get(row.stream_id);
      if (!streamKeys) keys.set(row.stream_id, (streamKeys = new Map()));
      streamKeys.set(row.generation, row.data_key);
    }
    return keys;
  }

  async erase(streamId: string): Promise<boolean> {
    const erased = await this.db
      .updateTable('personal_data.data_keys')
      .set({ data_key: null, erased_at: sql<Date>`now()` })
      .where('stream_id', '=', streamId)
      .where('data_key', 'is not', null)
      .executeTakeFirst();
    return erased.numUpdatedRows > 0n;
  }

  async seal(streamId: string): Promise<void> {
    // One transaction: nobody sees the seal beside a usable key. Generations are dense (each new
    // one is max + 1), so a create that did not see the seal wants a generation already taken and
    // gets a conflict; a create the seal's insert waited on is committed before the seal, and the
    // update below deletes its key.
    await this.db.transaction().execute(async (trx) => {
      for (let attempt = 1; ; attempt++) {
        const inserted = await trx
          .insertInto('personal_data.data_keys')
          .columns(['stream_id', 'generation', 'data_key', 'erased_at', 'sealed'])
          .expression((eb) =>
            eb
              .selectFrom('personal_data.data_keys')
              .select([
                eb.val(streamId).as('stream_id'),
                nextGeneration(eb).as('generation'),
                sql<null>`null::bytea`.as('data_key'),
                sql<Date>`now()`.as('erased_at'),
                eb.lit(true).as('sealed'),
              ])
              .where('stream_id', '=', streamId)
              .having(notSealed),
          )
          .onConflict((oc) => oc.doNothing())
          .returning('generation')
          .executeTakeFirst();
        if (inserted) break;
        // Nothing inserted: sealed before, or a concurrent writer took the generation (look again).
        const seal = await trx
          .selectFrom('personal_data.data_keys')
          .select('generation')
          .where('stream_id', '=', streamId)
          .where('sealed', '=', true)
          .executeTakeFirst();
        if (seal) break;
        if (attempt >= MAX_SEAL_ATTEMPTS) throw new Error(`stream ${streamId} not sealed after ${MAX_SEAL_ATTEMPTS} attempts`);
      }
      await trx
        .updateTable('personal_data.data_keys')
        .set({ data_key: null, erased_at: sql<Date>`now()` })
        .where('stream_id', '=', streamId)
        .where('data_key', 'is not', null)
        .execute();
    });
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}

type DataKeysBuilder = ExpressionBuilder<PersonalDataTables, 'personal_data.data_keys'>;

/** The stream's next generation (1 for its first), over all its rows. */
function nextGeneration(eb: DataKeysBuilder) {
  return eb(eb.fn.coalesce(eb.fn.max('generation'), eb.lit(0)), '+', 1);
}

/**
 * A `having`, not a `where`: filtering the seal's row out would still leave an aggregate row (with
 * generation 1); this leaves none, so nothing is inserted.
 */
function notSealed(eb: DataKeysBuilder) {
  return eb(eb.fn.countAll().filterWhere('sealed', '=', true), '=', 0);
}
