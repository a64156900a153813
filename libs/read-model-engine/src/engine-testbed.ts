import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { PostgresEventStore, eventStoreMigrations } from '#event-store';
import { borrowedPool, createPool, migrate } from '#postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import { projectionsMigrations, type ProjectionsTables } from './projections.migrations.js';

/** What the engine's integration tests run on: a fresh database holding the log and the engine's own tables. */
export interface EngineTestbed {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly db: Kysely<ProjectionsTables>;
  /** Closes the store and the pool and drops the database (stop the runners first). */
  close(): Promise<void>;
}

export async function engineTestbed(poolSize = 20): Promise<EngineTestbed> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: poolSize });
  await migrate(pool, eventStoreMigrations);
  await migrate(pool, projectionsMigrations);
  const store = new PostgresEventStore({ connectionString: database.url, pool });
  const db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  return {
    database,
    pool,
    store,
    db,
    async close() {
      await store.close();
      await db.destroy();
      await pool.end();
      await database.drop();
    },
  };
}
