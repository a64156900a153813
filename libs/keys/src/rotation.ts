import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { borrowedPool } from '#postgres';
import { UnknownMasterKeyError, type MasterKey, type MasterKeyring } from './master-key.js';
import { countWrappedBy, rewrapBatch, wrappingKeyIds, type WrappedTable } from './wrapped-table.js';

export interface RotationOptions {
  /** Rows re-wrapped per transaction. */
  readonly batchSize?: number;
  /** Stops between two batches; a later run with the same new key carries on. */
  readonly signal?: AbortSignal;
  /** Called once with the rows to re-wrap, then after each batch with the rows done so far. */
  readonly onStart?: (total: number) => void;
  readonly onProgress?: (done: number) => void;
}

export interface RotationResult {
  /** Rows re-wrapped by this run. */
  readonly rewrapped: number;
  /** Whether it stopped (signal) before every row was wrapped by the new key. */
  readonly interrupted: boolean;
}

/** Another rotation holds the lock. */
export class RotationInProgressError extends Error {
  constructor() {
    super('another master key rotation is running on this database; wait for it to end');
    this.name = 'RotationInProgressError';
  }
}

const DEFAULT_ROTATION_BATCH_SIZE = 500;

// Advisory-lock namespace of master key rotations ("rota"): one at a time per database.
const ROTATION_LOCK = [0x726f7461, 0] as const;

/**
 * Re-wraps every value of `tables` not wrapped by `target` yet: each is unwrapped with the key of
 * `keyring` that wrapped it and wrapped by `target`, batch by batch. The values themselves (data
 * keys, secrets) do not change, so nothing they encrypt is touched. Rows record their wrapping key,
 * so a run that was interrupted, or failed, is continued by running it again with the same target.
 * Refuses to start while a row is wrapped by a key neither in `keyring` nor the target.
 */
export async function rotateMasterKey(
  pool: pg.Pool,
  tables: readonly WrappedTable[],
  keyring: MasterKeyring,
  target: MasterKey,
  options: RotationOptions = {},
): Promise<RotationResult> {
  const { batchSize = DEFAULT_ROTATION_BATCH_SIZE, signal } = options;
  const lock = await pool.connect();
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  try {
    const { rows } = await lock.query<{ locked: boolean }>('select pg_try_advisory_lock($1, $2) as locked', [...ROTATION_LOCK]);
    if (!rows[0].locked) throw new RotationInProgressError();
    try {
      const work: { table: WrappedTable; fromId: string }[] = [];
      for (const table of tables) {
        for (const id of await wrappingKeyIds(db, table)) {
          if (id === target.id) continue;
          if (!keyring.ids.includes(id)) throw new UnknownMasterKeyError(id, `a row of ${table.table}`, [...keyring.ids, `the new key ${target.id}`]);
          work.push({ table, fromId: id });
        }
      }
      let total = 0;
      for (const { table, fromId } of work) total += await countWrappedBy(db, table, fromId);
      options.onStart?.(total);

      let rewrapped = 0;
      for (const { table, fromId } of work) {
        for (;;) {
          if (signal?.aborted) return { rewrapped, interrupted: true };
          const done = await rewrapBatch(db, table, keyring, fromId, target, batchSize);
          if (done === 0) break;
          rewrapped += done;
          options.onProgress?.(rewrapped);
        }
      }
      return { rewrapped, interrupted: false };
    } finally {
      await lock.query('select pg_advisory_unlock($1, $2)', [...ROTATION_LOCK]);
    }
  } finally {
    lock.release();
    await db.destroy();
  }
}
