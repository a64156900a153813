import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type ColumnType, type ExpressionBuilder, type Generated } from 'kysely';
import type pg from 'pg';
import { unwrapRow, wrapRow, type MasterKeyring, type WrappedTable } from '#keys';
import { borrowedPool, createPool } from '#postgres';
import { StreamErasedError } from '../errors.js';
import { DATA_KEY_BYTES, type DataKey } from './cipher.js';
import { UnwrappedKeys } from './unwrapped-keys.js';
import type { KeyLink } from './policy.js';

/** A stream's key generations: the key, or `null` once erased. */
export type StreamKeys = ReadonlyMap<number, Buffer | null>;

/**
 * Where the per-stream data keys live, outside the log. The PostgreSQL store keeps them wrapped by
 * the master key, which is not in the database: the table and the log together (a backup) read as
 * nothing without it.
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
   * The keys of the streams linked to it ({@link link}) are erased too, and the links forgotten.
   */
  seal(streamId: string): Promise<void>;
  /**
   * Records that each link's `linked` stream holds its `subject`'s data: under its own key, which
   * sealing the subject erases (`ownKey`), or under the subject's key.
   */
  link(links: readonly KeyLink[]): Promise<void>;
  /** The streams linked to `subject` ({@link link}), for a report of everything held about them. */
  linkedStreams(subject: string): Promise<Omit<KeyLink, 'subject'>[]>;
  close(): Promise<void>;
}

interface DataKeysTable {
  stream_id: string;
  generation: number;
  /** The key wrapped by the master key (bound to the stream and generation), `null` once erased. */
  wrapped_key: Buffer | null;
  /** The id of the master key that wrapped it. */
  wrapped_by: string | null;
  created_at: Generated<Date>;
  erased_at: ColumnType<Date | null, Date | undefined, Date>;
  /** The stream's seal: a row without a key, after which the stream gets none. */
  sealed: Generated<boolean>;
}

interface KeyLinksTable {
  subject_stream: string;
  linked_stream: string;
  own_key: boolean;
}

export interface PersonalDataTables {
  'personal_data.data_keys': DataKeysTable;
  'personal_data.key_links': KeyLinksTable;
}

export interface PostgresDataKeyStoreOptions {
  readonly connectionString: string;
  /** Shares a pool with the caller (it is not ended on close); otherwise the store makes its own. */
  readonly pool?: pg.Pool;
  /** Wraps new keys (its current key) and unwraps stored ones (the key each row names). */
  readonly masterKeys: MasterKeyring;
}

export const DATA_KEYS_TABLE: WrappedTable = {
  table: 'personal_data.data_keys',
  rowKey: ['stream_id', 'generation'],
  purpose: 'personal-data key',
  wrapped: 'wrapped_key',
  wrappedBy: 'wrapped_by',
  describe: ([streamId, generation]) => `the data key of ${streamId} (generation ${generation})`,
};

/** What erasing a key leaves of its row: the generation, and when. */
const ERASED_KEY = { wrapped_key: null, wrapped_by: null, erased_at: sql<Date>`now()` };

/** Rounds of "look, then create" before giving up; more than one only when an erase races a create. */
const MAX_CREATE_ATTEMPTS = 3;

/** Rounds of sealing; each lost one means a concurrent create or seal committed, which ends soon. */
const MAX_SEAL_ATTEMPTS = 20;

/** Streams whose unwrapped keys a store keeps (a few MB at most). */
const UNWRAPPED_KEYS_KEPT = 10_000;

/**
 * Every read fetches the rows (an erased key is gone for every process at once); the unwrap of a
 * wrapped value read before is skipped ({@link UnwrappedKeys}).
 */
export class PostgresDataKeyStore implements DataKeyStore {
  readonly db: Kysely<PersonalDataTables>;
  private readonly masterKeys: MasterKeyring;
  private readonly unwrapped = new UnwrappedKeys(UNWRAPPED_KEYS_KEPT);

  constructor(options: PostgresDataKeyStoreOptions) {
    this.masterKeys = options.masterKeys;
    const pool = options.pool
      ? borrowedPool(options.pool)
      : createPool(options.connectionString, { applicationName: 'crm-personal-data' });
    this.db = new Kysely<PersonalDataTables>({ dialect: new PostgresDialect({ pool }) });
  }

  async keyFor(streamId: string): Promise<DataKey> {
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
      // Every row of the stream (a few at most): the live key, the seal, and the next generation.
      const rows = await this.db
        .selectFrom('personal_data.data_keys')
        .select(['generation', 'wrapped_key', 'wrapped_by', 'sealed'])
        .where('stream_id', '=', streamId)
        .execute();
      if (rows.some((row) => row.sealed)) throw new StreamErasedError(streamId);
      const live = rows.find((row) => row.wrapped_key !== null);
      if (live?.wrapped_key) return { generation: live.generation, key: this.unwrap(streamId, live.generation, live.wrapped_key, live.wrapped_by) };

      // The key is wrapped for its generation before the insert, so the generation is chosen here
      // and the insert only succeeds while it is still the next one (generations stay dense).
      // Separate statements, not one: after waiting on a concurrent writer's insert (a key or the
      // seal), only a new statement's snapshot sees what it committed.
      const generation = Math.max(0, ...rows.map((row) => row.generation)) + 1;
      const key = randomBytes(DATA_KEY_BYTES);
      const current = this.masterKeys.current;
      const wrapped = wrapRow(DATA_KEYS_TABLE, current, [streamId, String(generation)], key);
      const created = await this.db
        .insertInto('personal_data.data_keys')
        .columns(['stream_id', 'generation', 'wrapped_key', 'wrapped_by'])
        .expression((eb) =>
          eb
            .selectFrom('personal_data.data_keys')
            .select([
              eb.val(streamId).as('stream_id'),
              eb.val(generation).as('generation'),
              eb.val(wrapped).as('wrapped_key'),
              eb.val(current.id).as('wrapped_by'),
            ])
            .where('stream_id', '=', streamId)
            .having(notSealed)
            .having((h) => h(nextGeneration(h), '=', generation)),
        )
        .onConflict((oc) => oc.doNothing())
        .returning('generation')
        .executeTakeFirst();
      if (created) {
        this.unwrapped.set(streamId, generation, wrapped, current.id, key);
        return { generation, key };
      }
    }
    throw new Error(`no data key for stream ${streamId} after ${MAX_CREATE_ATTEMPTS} attempts: erased as fast as created`);
  }

  async keysFor(streamIds: readonly string[]): Promise<ReadonlyMap<string, StreamKeys>> {
    const keys = new Map<string, Map<number, Buffer | null>>();
    if (streamIds.length === 0) return keys;
    const rows = await this.db
      .selectFrom('personal_data.data_keys')
      .select(['stream_id', 'generation', 'wrapped_key', 'wrapped_by'])
      .where('stream_id', 'in', [...new Set(streamIds)])
      // A seal holds no key and no value names its generation.
      .where('sealed', '=', false)
      .execute();
    for (const row of rows) {
      let streamKeys = keys.get(row.stream_id);
      if (!streamKeys) keys.set(row.stream_id, (streamKeys = new Map()));
      streamKeys.set(row.generation, row.wrapped_key === null ? null : this.unwrap(row.stream_id, row.generation, row.wrapped_key, row.wrapped_by));
    }
    return keys;
  }

  async erase(streamId: string): Promise<boolean> {
    this.unwrapped.forget(streamId);
    const erased = await this.db
      .updateTable('personal_data.data_keys')
      .set(ERASED_KEY)
      .where('stream_id', '=', streamId)
      .where('wrapped_key', 'is not', null)
      .executeTakeFirst();
    return erased.numUpdatedRows > 0n;
  }

  async seal(streamId: string): Promise<void> {
    this.unwrapped.forget(streamId);
    // One transaction: nobody sees the seal beside a usable key. Generations are dense (each new
    // one is max + 1), so a create that did not see the seal wants a generation already taken and
    // gets a conflict; a create the seal's insert waited on is committed before the seal, and the
    // update below deletes its key.
    await this.db.transaction().execute(async (trx) => {
      for (let attempt = 1; ; attempt++) {
        const inserted = await trx
          .insertInto('personal_data.data_keys')
          .columns(['stream_id', 'generation', 'erased_at', 'sealed'])
          .expression((eb) =>
            eb
              .selectFrom('personal_data.data_keys')
              .select([
                eb.val(streamId).as('stream_id'),
                nextGeneration(eb).as('generation'),
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
      // The linked streams' keys are erased, not sealed: an e-mail claim may serve a new person later.
      const linked = trx.selectFrom('personal_data.key_links').select('linked_stream').where('subject_stream', '=', streamId).where('own_key', '=', true);
      await trx
        .updateTable('personal_data.data_keys')
        .set(ERASED_KEY)
        .where((eb) => eb.or([eb('stream_id', '=', streamId), eb('stream_id', 'in', linked)]))
        .where('wrapped_key', 'is not', null)
        .execute();
      // The links themselves tie the person to those streams.
      await trx.deleteFrom('personal_data.key_links').where('subject_stream', '=', streamId).execute();
    });
  }

  async link(links: readonly KeyLink[]): Promise<void> {
    if (links.length === 0) return;
    await this.db
      .insertInto('personal_data.key_links')
      .values(links.map((link) => ({ subject_stream: link.subject, linked_stream: link.linked, own_key: link.ownKey })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  async linkedStreams(subject: string): Promise<Omit<KeyLink, 'subject'>[]> {
    const rows = await this.db
      .selectFrom('personal_data.key_links')
      .select(['linked_stream', 'own_key'])
      .where('subject_stream', '=', subject)
      .orderBy('linked_stream')
      .execute();
    return rows.map((row) => ({ linked: row.linked_stream, ownKey: row.own_key }));
  }


  close(): Promise<void> {
    return this.db.destroy();
  }

  private unwrap(streamId: string, generation: number, wrapped: Buffer, wrappedBy: string | null): Buffer {
    // A row with a key names its master key (a table constraint): 'none' is never a held key's id.
    const by = wrappedBy ?? 'none';
    const cached = this.unwrapped.get(streamId, generation, wrapped, by);
    if (cached) return cached;
    const key = unwrapRow(DATA_KEYS_TABLE, this.masterKeys, [streamId, String(generation)], by, wrapped);
    this.unwrapped.set(streamId, generation, wrapped, by, key);
    return key;
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
