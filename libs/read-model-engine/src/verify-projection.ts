import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { comparePositions, parsePosition, serializePosition, type EventStore } from '#event-store';
import { borrowedPool, migrate } from '#postgres';
import { projectionSchema, type Projection } from './projection.js';
import { applyEvents, projectionMigrations } from './projection-tables.js';
import type { ProjectionsTables } from './projections.migrations.js';
import { skippedEvents, type SkippedEvent } from './skipped-events.js';

export interface RowDifference {
  readonly table: string;
  /** `live`: a row only the live tables hold; `rebuilt`: a row only the rebuild from the log holds. */
  readonly only: 'live' | 'rebuilt';
  readonly row: Record<string, unknown>;
}

export interface Verification {
  readonly projection: string;
  readonly version: number;
  readonly build: number;
  /** The checkpoint both sides were compared at. */
  readonly position: string;
  readonly tables: string[];
  readonly differences: RowDifference[];
  /** More differences exist than were listed. */
  readonly truncated: boolean;
  /** The events up to the checkpoint that the rebuild passed without applying them, as the live build did: the skips operators recorded. */
  readonly skipped: SkippedEvent[];
}

/**
 * Verifications running at once on one pool; more wait their turn. Each holds two connections at a
 * time (the migration's lock and its statements; the snapshot and the log's reads): unbounded, a
 * burst of them would take every connection and wait on each other for one more.
 */
const CONCURRENT_VERIFICATIONS = 2;
const turns = new WeakMap<pg.Pool, Turns>();

/**
 * Rebuilds the active build of `projection` from the log into scratch tables, up to the live
 * checkpoint, and reports every row that differs from the live tables (none, when all is well).
 * Both sides are read in one repeatable-read snapshot, so a projector running meanwhile cannot
 * make the live tables differ from the checkpoint they are compared at. Events an operator skipped
 * in this version are passed by the rebuild too. Each verification has its own scratch schema:
 * any number may be asked for at once, of one projection or several (a pool runs a few at a time).
 */
export async function verifyProjection(
  pool: pg.Pool,
  store: EventStore,
  projection: Projection,
  options: { maxDifferences?: number; pageSize?: number } = {},
): Promise<Verification> {
  let queue = turns.get(pool);
  if (queue === undefined) turns.set(pool, (queue = new Turns(CONCURRENT_VERIFICATIONS)));
  return queue.take(() => verifyInScratchTables(pool, store, projection, options));
}

async function verifyInScratchTables(
  pool: pg.Pool,
  store: EventStore,
  projection: Projection,
  options: { maxDifferences?: number; pageSize?: number },
): Promise<Verification> {
  const maxDifferences = options.maxDifferences ?? 100;
  const scratch = `verify_${randomBytes(6).toString('hex')}`;
  const db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  try {
    await migrate(pool, projectionMigrations(projection, scratch));
    return await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        // The build queries read when it is of this code's version, else the newest build of it.
        const { position, build } = await trx
          .selectFrom('projections.checkpoints as c')
          .leftJoin('projections.active_versions as a', (join) =>
            join.onRef('a.name', '=', 'c.name').onRef('a.version', '=', 'c.version').onRef('a.build', '=', 'c.build'),
          )
          .select(['c.position', 'c.build'])
          .where('c.name', '=', projection.name)
          .where('c.version', '=', projection.version)
          .orderBy((eb) => eb('a.build', 'is not', null), 'desc')
          .orderBy('c.build', 'desc')
          .executeTakeFirstOrThrow();
        const live = projectionSchema(projection.name, projection.version, build);
        const until = parsePosition(position);
        const skipped = (await skippedEvents(trx, projection.name, projection.version)).filter((skip) => comparePositions(parsePosition(skip.position), until) <= 0);
        const skippedAt = new Set(skipped.map((skip) => skip.position));
        for (let from = parsePosition('0-0'); comparePositions(from, until) < 0; ) {
          const page = await store.readAll({ from, limit: options.pageSize ?? 1_000 });
          const events = page.events.filter((event) => comparePositions(event.position, until) <= 0);
          const applying = skippedAt.size === 0 ? events : events.filter((event) => !skippedAt.has(serializePosition(event.position)));
          await applyEvents<unknown, ProjectionsTables>(trx, projection, applying, scratch);
          if (events.length < page.events.length || page.events.length === 0) break;
          from = page.next;
        }

        const { rows: tables } = await sql<{ name: string }>`
          select table_name as name from information_schema.tables
          where table_schema = ${live} and table_name <> 'kysely_migration' and table_name <> 'kysely_migration_lock'
          order by table_name`.execute(trx);
        const differences: RowDifference[] = [];
        for (const { name } of tables) {
          for (const [only, left, right] of [
            ['live', live, scratch],
            ['rebuilt', scratch, live],
          ] as const) {
            const { rows } = await sql<{ row: Record<string, unknown> }>`
              select to_jsonb(l) as row from (
                select * from ${sql.table(`${left}.${name}`)} except all select * from ${sql.table(`${right}.${name}`)}
              ) l limit ${maxDifferences + 1}`.execute(trx);
            differences.push(...rows.map((r) => ({ table: name, only, row: r.row })));
          }
        }
        return {
          projection: projection.name,
          version: projection.version,
          build,
          position,
          tables: tables.map((t) => t.name),
          differences: differences.slice(0, maxDifferences),
          truncated: differences.length > maxDifferences,
          skipped,
        };
      });
  } finally {
    await sql`drop schema if exists ${sql.id(scratch)} cascade`.execute(db);
    await db.destroy();
  }
}

/** At most `size` tasks at a time, the others in turn as they came. */
class Turns {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async take<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.size) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The turn passes to the next one waiting, if any.
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next();
    }
  }
}
