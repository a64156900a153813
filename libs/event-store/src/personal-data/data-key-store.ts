import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type ColumnType, type Generated } from 'kysely';
import type pg from 'pg';
import { borrowedPool, createPool } from '#postgres';
import { DATA_KEY_BYTES, type DataKey } from './cipher.js';

/** A stream's key generations: the key, or `null` once erased. */
export type StreamKeys = ReadonlyMap<number, Buffer | null>;

/**
 * Where the per-stream data keys live, outside the log.
 * Keys are stored as they are, not wrapped with a master key: whoever can read this table and the
 * log can read the personal data, so guard the database (and its backups) accordingly.
 */
export interface DataKeyStore {
  /** The stream's usable key, created on first need; concurrent callers get the same key. */
  keyFor(streamId: string): Promise<DataKey>;
  /** Every key generation of each of `streamIds` (absent streams have none), in one query. */
  keysFor(streamIds: readonly string[]): Promise<ReadonlyMap<string, StreamKeys>>;
  /** Deletes the stream's usable key; `false` when it had none. */
  erase(streamId: string): Promise<boolean>;
  close(): Promise<void>;
}

interface DataKeysTable {
  stream_id: string;
  generation: number;
  data_key: Buffer | null;
  created_at: Generated<Date>;
  erased_at: ColumnType<Date | null, never, Date>;
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
        .select(['generation', 'data_key'])
        .where('stream_id', '=', streamId)
        .where('data_key', 'is not', null)
        .executeTakeFirst();
      if (existing?.data_key) return { generation: existing.generation, key: existing.data_key };

      // Separate statements, not one: after waiting on a concurrent writer's insert, only a new
      // statement's snapshot sees the key it committed.
      const created = await this.db
        .insertInto('personal_data.data_keys')
        .columns(['stream_id', 'generation', 'data_key'])
        .expression((eb) =>
          eb
            .selectFrom('personal_data.data_keys')
            .select([
              eb.val(streamId).as('stream_id'),
              eb(eb.fn.coalesce(eb.fn.max('generation'), eb.lit(0)), '+', 1).as('generation'),
              eb.val(randomBytes(DATA_KEY_BYTES)).as('data_key'),
            ])
            .where('stream_id', '=', streamId),
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

  close(): Promise<void> {
    return this.db.destroy();
  }
}
