import { authMigrations } from '#auth';
import { commandsMigrations } from '#commands';
import { eventStoreMigrations, personalDataMigrations } from '#event-store';
import { createPool, ensureDatabase, migrate, type MigrationSet } from '#postgres';
import type { AppConfig } from '#config';

/** Held while migrating, so that apps started together (api, projector, worker) migrate one at a time. */
const MIGRATION_LOCK = 0x63726d_6d6967; // "crm" "mig"

/** The migration sets this configuration needs, in the order they are applied. */
export function migrationsFor(config: AppConfig): MigrationSet[] {
  // With EventStoreDB the log lives there: the PostgreSQL event store's tables would stay empty.
  // Personal-data keys stay in PostgreSQL either way: outside the log, so erasing one is possible.
  const log = config.eventStore.kind === 'postgres' ? [eventStoreMigrations, personalDataMigrations] : [personalDataMigrations];
  return [...log, authMigrations, commandsMigrations];
}

/**
 * Creates the database named in DATABASE_URL if it is missing and applies the migrations, under an
 * advisory lock: creating a schema is not safe against a concurrent start doing the same.
 * Returns the names of the schemas migrated.
 */
export async function prepareDatabase(config: AppConfig): Promise<string[]> {
  await ensureDatabase(config.databaseUrl);
  const sets = migrationsFor(config);
  if (sets.length === 0) return [];
  // One connection holds the lock, the others migrate.
  const pool = createPool(config.databaseUrl, { max: 3, applicationName: 'crm-migrate' });
  try {
    const lock = await pool.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      for (const set of sets) await migrate(pool, set);
    } finally {
      // Ending the session releases the lock too, should the unlock itself fail.
      await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      lock.release();
    }
  } finally {
    await pool.end();
  }
  return sets.map((set) => set.schema);
}
