/**
 * Seeding a benchmark's log: each stream's history decided by its domain decider (so every event is
 * one the command side could have written), bulk-loaded straight into event_store.events/streams.
 * Seeding is set-up, not measured against anything.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { schemaVersionOf } from '#event-catalog';
import { type Decider } from '#domain';
import { positiveInteger } from './harness.js';

export const SEED_WRITERS = positiveInteger('BENCH_SEED_WRITERS', 4);
/** Events per seeding transaction (whole streams): large enough that round trips do not matter. */
const SEED_CHUNK_EVENTS = 10_000;

/** A deterministic hash of two integers: the same "random" choices every run. */
export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0xc2b2ae35, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

/** One event as the events table stores it. */
export interface SeedRow {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly data: string;
  readonly metadata: string;
}

/** `count` events of a stream as its decider decides them (`commandAt(k, state)`: the k-th command), ready for the events table. */
export function decidedHistory<C, E extends { readonly type: string; readonly data: object }, S>(
  decider: Decider<C, E, S>,
  stream: string,
  count: number,
  commandAt: (k: number, state: S) => C,
): SeedRow[] {
  let state = decider.initialState;
  const rows: SeedRow[] = [];
  for (let k = 0; rows.length < count; k++) {
    const commandId = randomUUID();
    const metadata = JSON.stringify({ actor: 'service:bench-seed', commandId, correlationId: commandId, causationId: commandId });
    for (const event of decider.decide(commandAt(k, state), state)) {
      state = decider.evolve(state, event);
      rows.push({ stream, revision: rows.length, id: randomUUID(), type: event.type, version: schemaVersionOf(event.type), data: JSON.stringify(event.data), metadata });
    }
  }
  return rows.slice(0, count);
}

/** Streams 0 to count - 1 of one kind: `history(n)` is stream n's whole history, about `eventsEach` events. */
export interface StreamGroup {
  readonly count: number;
  readonly eventsEach: number;
  readonly history: (n: number) => SeedRow[];
}

/**
 * Seeds the groups one after the other (every stream of a group is committed before the next
 * group's: what later streams refer to comes first in the log), then vacuums the log. Returns the
 * seconds taken.
 */
export async function seedLog(pool: pg.Pool, groups: readonly StreamGroup[]): Promise<number> {
  const started = performance.now();
  for (const group of groups) await seedStreams(pool, group);
  // What autovacuum would do after a bulk load: statistics, hint bits and the visibility map set.
  await pool.query('vacuum (analyze) event_store.events, event_store.streams');
  return (performance.now() - started) / 1000;
}

/**
 * Inserts straight into the log tables, whole streams per transaction on SEED_WRITERS connections:
 * event_store.append per stream would be ~100x slower for the same rows. Each transaction gets its
 * own transaction_id (the column default) and ordered sequences, so log order keeps each stream's
 * order exactly as append would. Personal fields stay plaintext (no data key): the personal-data
 * store decrypts only what is encrypted, so the projections read them as is.
 */
async function seedStreams(pool: pg.Pool, { count, eventsEach, history }: StreamGroup): Promise<void> {
  const chunk = Math.max(1, Math.floor(SEED_CHUNK_EVENTS / eventsEach));
  let next = 0;
  const writer = async () => {
    for (;;) {
      const first = next;
      next += chunk;
      if (first >= count) return;
      const rows: SeedRow[] = [];
      const streams: string[] = [];
      const revisions: number[] = [];
      for (let n = first; n < Math.min(first + chunk, count); n++) {
        const events = history(n);
        rows.push(...events);
        streams.push(events[0].stream);
        revisions.push(events.length - 1);
      }
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(
          `insert into event_store.events (stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at)
           select e.stream_id, e.revision, e.id, e.type, e.version, e.data, e.metadata, now()
           from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::integer[], $6::jsonb[], $7::jsonb[])
                with ordinality as e(stream_id, revision, id, type, version, data, metadata, ord)
           order by e.ord`,
          [
            rows.map((r) => r.stream),
            rows.map((r) => r.revision),
            rows.map((r) => r.id),
            rows.map((r) => r.type),
            rows.map((r) => r.version),
            rows.map((r) => r.data),
            rows.map((r) => r.metadata),
          ],
        );
        await client.query('insert into event_store.streams (stream_id, revision) select * from unnest($1::text[], $2::bigint[])', [streams, revisions]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_WRITERS }, writer));
}

export interface LogStats {
  readonly events: number;
  /** Events per type, most frequent first. */
  readonly byType: ReadonlyMap<string, number>;
  /** The events table with its indexes, pretty-printed. */
  readonly size: string;
}

export async function logStats(pool: pg.Pool): Promise<LogStats> {
  const [types, size] = await Promise.all([
    pool.query<{ type: string; count: string }>('select type, count(*)::text as count from event_store.events group by type order by count(*) desc, type'),
    pool.query<{ size: string }>(`select pg_size_pretty(pg_total_relation_size('event_store.events')) as size`),
  ]);
  const byType = new Map(types.rows.map((r) => [r.type, Number(r.count)]));
  return { events: [...byType.values()].reduce((a, b) => a + b, 0), byType, size: size.rows[0].size };
}
