import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { PostgresEventStore, eventStoreMigrations, type JsonObject, type RecordedEvent } from '#event-store';
import { borrowedPool, createPool, migrate } from '#postgres';
import { applyEvents, prepareProjectionTables, projectionsMigrations, type Projection, type ProjectionsTables } from '#read-model-engine';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * What the read-model engine's and the read models' integration tests run on (not used at run
 * time): a fresh database, a pool and a query builder over it, all closed and dropped together.
 */
interface TestPool<DB> {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
  readonly db: Kysely<DB>;
  /** Destroys the query builder, ends the pool and drops the database. */
  close(): Promise<void>;
}

async function openTestPool<DB>(poolSize?: number): Promise<TestPool<DB>> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, poolSize === undefined ? undefined : { max: poolSize });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  return {
    database,
    pool,
    db,
    async close() {
      await db.destroy();
      await pool.end();
      await database.drop();
    },
  };
}

// ---- the engine ------------------------------------------------------------------------------

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
  const { database, pool, db, close } = await openTestPool<ProjectionsTables>(poolSize);
  await migrate(pool, eventStoreMigrations);
  await migrate(pool, projectionsMigrations);
  const store = new PostgresEventStore({ connectionString: database.url, pool });
  return {
    database,
    pool,
    store,
    db,
    async close() {
      await store.close();
      await close();
    },
  };
}

// ---- a read model ----------------------------------------------------------------------------

/** `items` in slices of `size`, the last one shorter. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** The projection's tables in a fresh schema of its version (its tables' types play no part). */
const prepareTables = <DB>(pool: pg.Pool, projection: Projection<DB>): Promise<string> => prepareProjectionTables(pool, projection as unknown as Projection);

/** Every row of each table, as JSON (dates `YYYY-MM-DD`), in column order (keys first). */
export type TablesDump<T extends string> = Record<T, JsonObject[]>;

/**
 * A read model's tables on a fresh database, a log applied in batches as a live projector would,
 * and every row of the tables dumped, to compare with a rebuild of the same log in other batches.
 */
export class ProjectionTestbed<DB, T extends string> {
  readonly pool: pg.Pool;
  readonly db: Kysely<unknown>;

  private constructor(
    private readonly testPool: TestPool<unknown>,
    private readonly projection: Projection<DB>,
    private readonly tables: readonly T[],
    private readonly log: readonly RecordedEvent[],
    /** The live schema: the projection's tables with `log` applied. */
    readonly schema: string,
  ) {
    this.pool = testPool.pool;
    this.db = testPool.db;
  }

  /** A fresh database with the projection's tables, `log` applied in batches of `size` (cut anywhere in the log). */
  static async open<DB, T extends string>(projection: Projection<DB>, tables: readonly T[], log: readonly RecordedEvent[], size: number): Promise<ProjectionTestbed<DB, T>> {
    const testPool = await openTestPool<unknown>();
    try {
      const bed = new ProjectionTestbed(testPool, projection, tables, log, await prepareTables(testPool.pool, projection));
      for (const batch of chunks(log, size)) await bed.apply(batch);
      return bed;
    } catch (error) {
      await testPool.close();
      throw error;
    }
  }

  /** Applies one batch in its own transaction, to the live tables or to those of `projection` (another version). */
  async apply(events: readonly RecordedEvent[], projection: Projection<DB> = this.projection): Promise<void> {
    await this.db.transaction().execute((trx) => applyEvents(trx, projection, events));
  }

  /** Every row of every table of `schema` (the live one by default). */
  async dump(schema: string = this.schema): Promise<TablesDump<T>> {
    const tables = await Promise.all(
      this.tables.map(async (table) => {
        const { rows } = await sql<{ row: JsonObject }>`select to_jsonb(t) as row from ${sql.table(`${schema}.${table}`)} t order by t`.execute(this.db);
        return [table, rows.map((r) => r.row)] as const;
      }),
    );
    return Object.fromEntries(tables) as TablesDump<T>;
  }

  /** Projects the whole log into a fresh schema (`version` of the projection), in batches of `size`, and dumps it. */
  async rebuild(version: number, size: number): Promise<TablesDump<T>> {
    const projection = { ...this.projection, version };
    const rebuilt = await prepareTables(this.pool, projection);
    for (const batch of chunks(this.log, size)) await this.apply(batch, projection);
    return this.dump(rebuilt);
  }

  close(): Promise<void> {
    return this.testPool.close();
  }
}
