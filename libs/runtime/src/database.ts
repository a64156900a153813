import { authMigrations } from '#auth';
import { commandsMigrations } from '#commands';
import { eventStoreMigrations, logSealMigrations, personalDataMigrations } from '#event-store';
import { leadCaptureMigrations } from '#lead-capture';
import { projectionsMigrations } from '#read-model-engine';
import { createPool, ensureDatabase, migrate, type MigrationSet } from '#postgres';
import { webhooksMigrations } from '#webhooks';
import type { AppConfig } from '#config';

/** The migration sets this configuration needs, in the order they are applied. */
export function migrationsFor(config: AppConfig): MigrationSet[] {
  // With EventStoreDB the log lives there: the PostgreSQL event store's tables would stay empty.
  // Personal-data keys stay in PostgreSQL either way: outside the log, so erasing one is possible.
  // The log's seal (chain and signed checkpoints) is kept in PostgreSQL for either store.
  const log = config.eventStore.kind === 'postgres' ? [eventStoreMigrations, personalDataMigrations] : [personalDataMigrations];
  return [...log, logSealMigrations, authMigrations, commandsMigrations, projectionsMigrations, leadCaptureMigrations, webhooksMigrations];
}

/**
 * Creates the database named in DATABASE_URL if it is missing and applies the migrations (each set
 * under its own lock, so apps started together migrate safely). Returns the schemas migrated.
 */
export async function prepareDatabase(config: AppConfig): Promise<string[]> {
  await ensureDatabase(config.databaseUrl);
  const sets = migrationsFor(config);
  const pool = createPool(config.databaseUrl, { max: 3, applicationName: 'crm-migrate' });
  try {
    for (const set of sets) await migrate(pool, set);
  } finally {
    await pool.end();
  }
  return sets.map((set) => set.schema);
}
