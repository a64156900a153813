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

/**
 * Applies a component's migrations (the event store's, a projection's), each component in its own
 * schema with its own history, so components migrate independently. Concurrent starts are safe:
 * kysely's migrator takes a lock.
 */
export async function migrate(pool: pg.Pool, set: MigrationSet): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  await db.schema.createSchema(set.schema).ifNotExists().execute();
  const migrator = new Migrator({
    db: set.bindToSchema ? db.withSchema(set.schema) : db,
    migrationTableSchema: set.schema,
    provider: { getMigrations: async () => set.migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  await db.destroy();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migrating ${set.schema} failed at ${failed}: ${String(error)}`, { cause: error });
  }
}
