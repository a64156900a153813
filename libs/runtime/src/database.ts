import { Kysely, PostgresDialect } from 'kysely';
import { authMigrations } from '#auth';
import { commandsMigrations } from '#commands';
import { DATA_KEYS_TABLE, eventStoreMigrations, logSealMigrations, personalDataMigrations, wrapPlaintextDataKeys } from '#event-store';
import { SECRETS_TABLE, WrappedSecrets, assertMasterKeysHeld, masterKeyringOf, secretsMigrations, type MasterKeyring, type WrappedTable } from '#keys';
import { leadCaptureMigrations, wrapGeneratedEmailSecret } from '#lead-capture';
import { projectionsMigrations } from '#read-model-engine';
import { borrowedPool, createPool, ensureDatabase, migrate, type MigrationSet } from '#postgres';
import { serviceMigrations } from '#service';
import { webhooksMigrations } from '#webhooks';
import type { AppConfig } from '#config';

/** The migration sets this configuration needs, in the order they are applied. */
export function migrationsFor(config: AppConfig): MigrationSet[] {
  // With EventStoreDB the log lives there: the PostgreSQL event store's tables would stay empty.
  // Personal-data keys stay in PostgreSQL either way: outside the log, so erasing one is possible.
  // The log's seal (chain and signed checkpoints) is kept in PostgreSQL for either store.
  const log = config.eventStore.kind === 'postgres' ? [eventStoreMigrations, personalDataMigrations] : [personalDataMigrations];
  return [...log, logSealMigrations, secretsMigrations, authMigrations, commandsMigrations, projectionsMigrations, leadCaptureMigrations, serviceMigrations, webhooksMigrations];
}

/** Every table of values wrapped by the master key: what a rotation re-wraps, what the start checks. */
export const WRAPPED_TABLES: readonly WrappedTable[] = [DATA_KEYS_TABLE, SECRETS_TABLE];

/**
 * Creates the database named in DATABASE_URL if it is missing and applies the migrations (each set
 * under its own lock, so apps started together migrate safely); then wraps data keys a former
 * version stored in the clear and the e-mail HMAC key the lead-capture migration generates, and refuses (UnknownMasterKeyError) a master key that is not the
 * one the database's keys are wrapped by (`masterKeys` holds more during a rotation). Returns the
 * schemas migrated.
 */
export async function prepareDatabase(config: AppConfig, masterKeys: MasterKeyring = masterKeyringOf(config)): Promise<string[]> {
  await ensureDatabase(config.databaseUrl);
  const sets = migrationsFor(config);
  const pool = createPool(config.databaseUrl, { max: 3, applicationName: 'crm-migrate' });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  try {
    for (const set of sets) await migrate(pool, set);
    // Before the plaintext keys are wrapped by this key, so that a wrong key wraps nothing.
    await assertMasterKeysHeld(db, WRAPPED_TABLES, masterKeys);
    await wrapPlaintextDataKeys(pool, masterKeys);
    await wrapGeneratedEmailSecret(pool, new WrappedSecrets(pool, masterKeys));
  } finally {
    await db.destroy();
    await pool.end();
  }
  return sets.map((set) => set.schema);
}
