import { Kysely, Migrator, PostgresDialect, type Migration } from 'kysely';
import type pg from 'pg';
import { borrowedPool } from './database.js';

export interface MigrationSet {
  /** Owner of the migrations; its history is kept in `<schema>.kysely_migration`. */
  readonly schema: string;
  readonly migrations: Record<string, Migration>;
  /** Run the migrations with Kysely bound to `schema` (`withSchema`), so they name tables unqualified. */
  readonly bindToSchema?: boolean;
}

// Advisory-lock namespace of migrations ("migr"), one lock per schema.
const MIGRATION_LOCK_SPACE = 0x6d696772;

/**
 * Applies a component's migrations (the event store's, a projection's), each component in its own
 * schema with its own history, so components migrate independently. Processes starting together
 * migrate a schema one at a time: `create schema if not exists` itself is not safe against a
 * concurrent twin, so the whole run holds a per-schema advisory lock.
 */
export async function migrate(pool: pg.Pool, set: MigrationSet): Promise<void> {
  const lock = await pool.connect();
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    await lock.query('select pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_SPACE, set.schema]);
    await db.schema.createSchema(set.schema).ifNotExists().execute();
    const migrator = new Migrator({
      db: set.bindToSchema ? db.withSchema(set.schema) : db,
      migrationTableSchema: set.schema,
      provider: { getMigrations: async () => set.migrations },
    });
    outcome = await migrator.migrateToLatest();
  } finally {
    await db.destroy();
    // Ending the session would release the lock too, should the unlock itself fail.
    await lock.query('select pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_SPACE, set.schema]).catch(() => undefined);
    lock.release();
  }
  const { error, results } = outcome;
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migrating ${set.schema} failed at ${failed}: ${String(error)}`, { cause: error });
  }
}
