/**
 * What the read-model benchmarks share: their environment knobs, a fresh database (dropped at the
 * end) with the app's event store and a ProjectionRunner per projection, the baseline measured in
 * the same run, catch-up timing, query latency and the tables they print.
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { loadConfig } from '#config';
import type { EventStore, Position } from '#event-store';
import { borrowedPool, createPool } from '#postgres';
import { ProjectionLagError, ProjectionRunner, ReadConsistency, projectionSchema, type Projection, type ProjectionsTables } from '#read-model-engine';
import { openEventStore, prepareDatabase } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY } from '#testing';

export function optionalPositiveInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

export function positiveInteger(name: string, fallback: number): number {
  return optionalPositiveInteger(name) ?? fallback;
}

/** Events a runner applies per transaction (the projector's PROJECTOR_BATCH_SIZE). */
export const BATCH_SIZE = positiveInteger('BENCH_BATCH_SIZE', 500);
/** `separate`: each projection catches up alone, one after the other; `together`: all at once. */
export const CATCHUP: 'separate' | 'together' = process.env.BENCH_CATCHUP === 'together' ? 'together' : 'separate';
/**
 * The projections a run builds: BENCH_PROJECTIONS (comma-separated names) picks some of `all`, e.g.
 * only the one whose queries a full-scale run is about; default all.
 */
export function selectedProjections(all: readonly Projection[]): readonly Projection[] {
  const raw = process.env.BENCH_PROJECTIONS;
  if (raw === undefined || raw.trim() === '') return all;
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !all.some((projection) => projection.name === name));
  if (unknown.length > 0) throw new Error(`BENCH_PROJECTIONS names ${unknown.join(', ')}; known: ${all.map((p) => p.name).join(', ')}`);
  return all.filter((projection) => names.includes(projection.name));
}

const CATCHUP_TIMEOUT_MS = positiveInteger('BENCH_CATCHUP_TIMEOUT_S', 3_600) * 1000;

export interface Bench {
  readonly pool: pg.Pool;
  /** The store the projector uses: PostgreSQL log, personal-data decryption, upcasting. */
  readonly store: EventStore;
  /** Over the whole database: query classes bind it to their projection's schema. */
  readonly db: Kysely<ProjectionsTables>;
  /** One per projection, not started. */
  readonly runners: readonly ProjectionRunner[];
  readonly consistency: ReadConsistency;
}

/** Runs `body` on a fresh, migrated database with runners for `projections`; prints the machine first, drops the database last. */
export async function runBench(title: string, projections: readonly Projection[], body: (bench: Bench) => Promise<void>): Promise<void> {
  const database = await createTestDatabase('crm_bench');
  const config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY, PROJECTOR_BATCH_SIZE: String(BATCH_SIZE) });
  const pool = createPool(database.url, { max: 20 });
  const db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  const store = openEventStore(config, pool);
  const runners = projections.map(
    (projection) =>
      new ProjectionRunner(store, pool, projection, {
        batchSize: BATCH_SIZE,
        logError: (message, error) => console.error(message, error),
      }),
  );
  try {
    await prepareDatabase(config);
    const { rows } = await pool.query<{ server_version: string }>('show server_version');
    console.log(`${title}: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, PostgreSQL ${rows[0].server_version}`);
    await body({ pool, store, db, runners, consistency: new ReadConsistency(db, { timeoutMs: 2_000, pollMs: 50 }) });
  } finally {
    await Promise.all(runners.map((runner) => runner.stop()));
    await store.close();
    await db.destroy();
    await pool.end();
    await database.drop();
  }
}

/** The schema a projection's current version is built in (no rebuild happens in a benchmark). */
export function schemaOf(projection: Projection): string {
  return projectionSchema(projection.name, projection.version);
}

/** Statistics on every read-model table, as autovacuum would have them by now: the planner needs them for the queries timed next. */
export async function analyzeReadModels(pool: pg.Pool, projections: readonly Projection[]): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname = any($1) order by 1`, [
    projections.map(schemaOf),
  ]);
  if (rows.length > 0) await pool.query(`analyze ${rows.map((row) => row.name).join(', ')}`);
}

// ---- catch-up ------------------------------------------------------------------------------

export interface Baseline {
  readonly rows: number;
  readonly seconds: number;
}

/** Baseline: one INSERT ... SELECT of every event into a bare table of similar width; rows/s. */
export async function baselineInsert(pool: pg.Pool): Promise<Baseline> {
  await pool.query(`create table public.bench_rows (
    event_id uuid primary key, stream_id text not null, revision bigint not null, type text not null,
    recorded_at timestamptz not null, data jsonb not null)`);
  const started = performance.now();
  const result = await pool.query(
    'insert into public.bench_rows select event_id, stream_id, revision, type, recorded_at, data from event_store.events',
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.query('drop table public.bench_rows');
  return { rows: result.rowCount ?? 0, seconds };
}

export interface CatchUp {
  readonly name: string;
  readonly seconds: number;
  readonly applied: number;
}

/** Waits until every projection in `names` reached `head`; fails fast if one stopped on an event. */
async function waitCaughtUp(pool: pg.Pool, consistency: ReadConsistency, names: readonly string[], head: Position): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await consistency.waitFor(names, head);
      return;
    } catch (error) {
      if (!(error instanceof ProjectionLagError)) throw error;
    }
    const failed = await pool.query<{ name: string; error: string }>(`select name, error from projections.checkpoints where status = 'failed'`);
    if (failed.rows.length > 0) throw new Error(`projection failed: ${failed.rows.map((r) => `${r.name}: ${r.error}`).join('; ')}`);
    if (Date.now() - started > CATCHUP_TIMEOUT_MS) throw new Error(`${names.join(', ')} did not catch up within ${CATCHUP_TIMEOUT_MS} ms`);
  }
}

async function eventsApplied(pool: pg.Pool, name: string): Promise<number> {
  const { rows } = await pool.query<{ applied: string }>('select events_applied::text as applied from projections.checkpoints where name = $1', [name]);
  return Number(rows[0]?.applied ?? 0);
}

/** Starts each runner and times it from start to head; `together` starts them all at once. */
export async function catchUp({ pool, consistency, runners }: Bench, head: Position): Promise<CatchUp[]> {
  const timed = async (runner: ProjectionRunner, started: number): Promise<CatchUp> => {
    await waitCaughtUp(pool, consistency, [runner.projection.name], head);
    const seconds = (performance.now() - started) / 1000;
    return { name: runner.projection.name, seconds, applied: await eventsApplied(pool, runner.projection.name) };
  };
  if (CATCHUP === 'together') {
    const started = performance.now();
    for (const runner of runners) runner.start();
    return Promise.all(runners.map((runner) => timed(runner, started)));
  }
  const results: CatchUp[] = [];
  for (const runner of runners) {
    const started = performance.now();
    runner.start();
    results.push(await timed(runner, started));
  }
  return results;
}

// ---- query latency -------------------------------------------------------------------------

export interface QueryResult {
  readonly label: string;
  readonly ms: number[];
  readonly rows: number;
}

/**
 * `count` sequential runs of `run(n)` (n = 0 to count - 1; it answers its row count), after `warmup`
 * untimed ones (plans cached, connections open) on inputs past the timed ones, so that warming up
 * does not cache what is timed.
 */
export async function timeQueries(label: string, count: number, warmup: number, run: (n: number) => Promise<number>): Promise<QueryResult> {
  for (let n = 0; n < warmup; n++) await run(count + n);
  const ms: number[] = [];
  let rows = 0;
  for (let n = 0; n < count; n++) {
    const started = performance.now();
    rows += await run(n);
    ms.push(performance.now() - started);
  }
  return { label, ms, rows: rows / count };
}

// ---- reporting -----------------------------------------------------------------------------

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
export const row = (cells: readonly string[], widths: readonly number[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');

/** Column widths of the latency tables: label, count, p50, p99. */
export const LATENCY_WIDTHS = [58, 10, 10, 10] as const;

export function printCatchUp(baseline: Baseline, caught: readonly CatchUp[]): void {
  const baselineRate = baseline.rows / baseline.seconds;
  const w = [58, 12, 14, 12];
  console.log('');
  console.log(row(['catch-up (from position 0 to head)', 'events', 'seconds', 'events/s'], w) + '  ratio to baseline');
  console.log(row(['baseline: INSERT ... SELECT into bare table', fmt(baseline.rows), fmt(baseline.seconds, 1), fmt(baselineRate)], w) + '  1.000');
  for (const result of caught) {
    const rate = result.applied / result.seconds;
    console.log(row([`${result.name} (${CATCHUP === 'together' ? 'all running' : 'alone'})`, fmt(result.applied), fmt(result.seconds, 1), fmt(rate)], w) + `  ${fmt(rate / baselineRate, 4)}`);
  }
  if (CATCHUP === 'together') {
    const seconds = Math.max(...caught.map((c) => c.seconds));
    const applied = caught.reduce((sum, c) => sum + c.applied, 0);
    console.log(row(['all projections (events applied, summed)', fmt(applied), fmt(seconds, 1), fmt(applied / seconds)], w) + `  ${fmt(applied / seconds / baselineRate, 4)}`);
  }
}

export function printQueries(title: string, results: readonly QueryResult[]): void {
  console.log('');
  console.log(row([title, 'avg rows', 'p50 ms', 'p99 ms'], LATENCY_WIDTHS));
  for (const q of results) console.log(row([q.label, fmt(q.rows, 1), fmt(percentile(q.ms, 50), 2), fmt(percentile(q.ms, 99), 2)], LATENCY_WIDTHS));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
