import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { JsonObject, RecordedEvent } from '#event-store';
import { ProblemException, type ProblemDetails } from '#http';
import { borrowedPool, createPool } from '#postgres';
import { applyEvents, prepareProjectionTables, type Projection } from '#read-model-engine';
import { createTestDatabase, type TestDatabase } from '#testing';

/**
 * Support for the read models' integration tests (not used at run time): a fresh database with a
 * projection's tables, a log applied in batches as a live projector would, and every row of the
 * tables dumped, to compare with a rebuild of the same log in other batches.
 */

/** `items` in slices of `size`, the last one shorter. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** The problem a query was refused with (a ProblemException); fails when it was not refused so. */
export async function problemOf(promise: Promise<unknown>): Promise<ProblemDetails> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ProblemException)) throw new Error(`expected a ProblemException, got ${String(error)}`);
  return error.problem;
}

/** The projection's tables in a fresh schema of its version (its tables' types play no part). */
const prepareTables = <DB>(pool: pg.Pool, projection: Projection<DB>): Promise<string> => prepareProjectionTables(pool, projection as unknown as Projection);

/** Every row of each table, as JSON (dates `YYYY-MM-DD`), in column order (keys first). */
export type TablesDump<T extends string> = Record<T, JsonObject[]>;

export class ProjectionTestbed<DB, T extends string> {
  private constructor(
    private readonly database: TestDatabase,
    readonly pool: pg.Pool,
    readonly db: Kysely<unknown>,
    private readonly projection: Projection<DB>,
    private readonly tables: readonly T[],
    private readonly log: readonly RecordedEvent[],
    /** The live schema: the projection's tables with `log` applied. */
    readonly schema: string,
  ) {}

  /** A fresh database with the projection's tables, `log` applied in batches of `size` (cut anywhere in the log). */
  static async open<DB, T extends string>(projection: Projection<DB>, tables: readonly T[], log: readonly RecordedEvent[], size: number): Promise<ProjectionTestbed<DB, T>> {
    const database = await createTestDatabase();
    const pool = createPool(database.url);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    try {
      const bed = new ProjectionTestbed(database, pool, db, projection, tables, log, await prepareTables(pool, projection));
      for (const batch of chunks(log, size)) await bed.apply(batch);
      return bed;
    } catch (error) {
      await db.destroy();
      await pool.end();
      await database.drop();
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

  async close(): Promise<void> {
    await this.db.destroy();
    await this.pool.end();
    await this.database.drop();
  }
}
