/**
 * Projections at scale, on a fresh database (dropped at the end):
 *   1. seeds a log of BENCH_EVENTS customer events over BENCH_CUSTOMERS customers (decided by the
 *      domain decider, bulk-loaded straight into event_store.events/streams; not measured against anything);
 *   2. catch-up: a ProjectionRunner per projection from position zero to the head, events/s, against a
 *      plain INSERT ... SELECT of the same number of rows into a bare table in the same run;
 *   3. live lag: with the runners caught up, LogCall events appended through the app's event store at a
 *      steady rate, append -> applied by each projection (checkpoint reached the event's position);
 *   4. query latency: timeline first page, directory substring search and a filtered directory page.
 *
 *   npm run bench:projections
 *     BENCH_EVENTS (default 300000; 1000000 is the full scale, ~20 min here), BENCH_CUSTOMERS (default BENCH_EVENTS/10), BENCH_BATCH_SIZE (runner
 *     batch, default 500), BENCH_SEED_WRITERS (default 4), BENCH_CATCHUP=separate|together (default separate),
 *     BENCH_LIVE_RATE (events/s, default 200), BENCH_LIVE_SECONDS (default 15), BENCH_QUERIES (per query, default 500)
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { loadConfig } from '#config';
import {
  customerDecider,
  customerStream,
  decideCustomer,
  evolveCustomer,
  schemaVersionOf,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerState,
} from '#domain';
import { comparePositions, parsePosition, type EventStore, type JsonObject, type Position } from '#event-store';
import { borrowedPool, createPool } from '#postgres';
import { ProjectionLagError, ProjectionRunner, ReadConsistency, projectionSchema, type Projection, type ProjectionsTables } from '#projections';
import { openEventStore, prepareDatabase } from '#runtime';
import { createTestDatabase } from '#testing';
import { DirectoryQueries } from '../projections/customer-directory/directory.queries.js';
import { CUSTOMER_DIRECTORY, customerDirectoryProjection } from '../projections/customer-directory/directory.projection.js';
import { TimelineQueries } from '../projections/customer-timeline/timeline.queries.js';
import { CUSTOMER_TIMELINE, customerTimelineProjection } from '../projections/customer-timeline/timeline.projection.js';

// 1,000,000 events take ~8 min per projection to catch up here (~2,100 ev/s each) plus ~1.5 min of
// seeding: over the ~15 min budget, so the default is 300,000 (~6 min). BENCH_EVENTS=1000000 for full scale.
const EVENTS = positiveInteger('BENCH_EVENTS', 300_000);
const CUSTOMERS = Math.min(EVENTS, positiveInteger('BENCH_CUSTOMERS', Math.max(1, Math.round(EVENTS / 10))));
const BATCH_SIZE = positiveInteger('BENCH_BATCH_SIZE', 500);
const SEED_WRITERS = positiveInteger('BENCH_SEED_WRITERS', 4);
const CATCHUP = process.env.BENCH_CATCHUP === 'together' ? 'together' : 'separate';
const LIVE_RATE = positiveInteger('BENCH_LIVE_RATE', 200);
const LIVE_SECONDS = positiveInteger('BENCH_LIVE_SECONDS', 15);
const QUERIES = positiveInteger('BENCH_QUERIES', 500);
/** Customers per seeding transaction: ~10k events, large enough that round trips do not matter. */
const SEED_CHUNK = 1_000;
const LIVE_POLL_MS = 5;
/** How long live events may take to show before the run gives up on them. */
const LIVE_DRAIN_TIMEOUT_MS = 60_000;
const CATCHUP_TIMEOUT_MS = positiveInteger('BENCH_CATCHUP_TIMEOUT_S', 3_600) * 1000;

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

// ---- synthetic customers -------------------------------------------------------------------

const FIRST = ['Akiko', 'Bruno', 'Chiara', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hiroshi', 'Ingrid', 'Jonas', 'Kamala', 'Lucas', 'Mireille', 'Nikolai', 'Olga', 'Pedro', 'Quentin', 'Rosa', 'Sven', 'Tamara', 'Ugo', 'Valeria', 'Wojciech', 'Ximena', 'Yusuf', 'Zofia'];
const LAST = ['Andersson', 'Brennan', 'Castillo', 'Dubois', 'Eriksen', 'Fontaine', 'Gallagher', 'Horvath', 'Ishikawa', 'Jankowski', 'Kowalczyk', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrovic', 'Quiroga', 'Romano', 'Schneider', 'Takahashi', 'Umarov', 'Valdez', 'Wagner', 'Xiong', 'Yilmaz', 'Zimmermann'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka'];
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'coast', 'highlands', 'islands'];
const INDUSTRIES = ['retail', 'software', 'manufacturing', 'finance', 'health', 'logistics'];
const EPOCH = Date.UTC(2023, 0, 1);
const HOUR = 3_600_000;

const customerId = (i: number) => `c${String(i).padStart(7, '0')}`;
const nameOf = (i: number) => `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${(i * 7919) % 100_000}`;
const at = (i: number, hours: number) => new Date(EPOCH + (i % 500_000) * 60_000 + hours * HOUR).toISOString();

function registration(i: number): CustomerCommand {
  const first = FIRST[i % FIRST.length].toLowerCase();
  return {
    type: 'RegisterCustomer',
    customerId: customerId(i),
    stage: i % 2 === 0 ? 'lead' : 'prospect',
    source: 'web_form',
    contact: { name: nameOf(i), email: `${first}.${i}@example.com`, phone: `+44 20 ${String(i).padStart(8, '0')}` },
    company: { name: `${COMPANIES[i % COMPANIES.length]} ${i % 997}`, department: 'Purchasing' },
    demographics: { region: REGIONS[i % REGIONS.length], industry: INDUSTRIES[i % INDUSTRIES.length], companySize: '11-50' },
    tags: i % 5 === 0 ? ['vip', 'newsletter'] : ['newsletter'],
    ownerRepId: `rep-${i % 40}`,
    registeredAt: at(i, 0),
  };
}

/** The k-th command (k >= 1) of customer i: a typical CRM history, calls again past the scripted ten. */
function command(i: number, k: number): CustomerCommand {
  const id = customerId(i);
  const when = at(i, k);
  switch (k) {
    case 1:
    case 5:
      return { type: 'LogCall', customerId: id, callId: `call-${i}-${k}`, direction: 'outbound', durationSeconds: 120 + k, outcome: 'interested', repId: `rep-${i % 40}`, summary: 'Discussed the renewal; asked for a revised proposal.', occurredAt: when };
    case 2:
      return { type: 'LogEmail', customerId: id, emailId: `mail-${i}-${k}`, direction: 'inbound', subject: 'Re: proposal', summary: 'Customer replied with questions on pricing.', repId: `rep-${i % 40}`, occurredAt: when };
    case 3:
      return { type: 'RecordSiteVisit', customerId: id, visitId: `visit-${i}`, url: 'https://example.com/pricing', pageCount: 4, durationSeconds: 180, occurredAt: when };
    case 4:
      return {
        type: 'RecordPurchase',
        customerId: id,
        orderId: `order-${i}`,
        lines: [
          { productSku: 'SKU-100', quantity: 2, unitPriceMinor: 4_999, currency: 'EUR' },
          { productSku: 'SKU-200', quantity: 1, unitPriceMinor: 19_900, currency: 'EUR' },
        ],
        repId: `rep-${i % 40}`,
        purchasedAt: when,
      };
    case 6:
      return { type: 'RecordRefund', customerId: id, refundId: `refund-${i}`, orderId: `order-${i}`, lines: [{ lineNo: 1, quantity: 1 }], reason: 'damaged', refundedAt: when };
    case 7:
      return { type: 'AddNote', customerId: id, noteId: `note-${i}`, text: 'Prefers calls in the morning; decision maker is the CFO.', authorRepId: `rep-${i % 40}`, addedAt: when };
    case 8:
      return { type: 'AssignOwner', customerId: id, repId: `rep-${(i + 1) % 40}`, assignedAt: when };
    case 9:
      // Every other customer (the prospects) converts at its tenth event; the leads get an e-mail.
      if (i % 2 === 1) return { type: 'ConvertLead', customerId: id, convertedAt: when };
      return { type: 'LogEmail', customerId: id, emailId: `mail-${i}-${k}`, direction: 'outbound', subject: 'Follow-up', repId: `rep-${i % 40}`, occurredAt: when };
    default:
      // Customers with more than ten events get further calls.
      return { type: 'LogCall', customerId: id, callId: `call-${i}-${k}`, direction: 'inbound', durationSeconds: 60 + k, outcome: 'connected', repId: `rep-${i % 40}`, occurredAt: when };
  }
}

interface SeedRow {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly data: string;
  readonly metadata: string;
}

/** Customer i's history as the domain decides it, ready for the events table. */
function customerHistory(i: number, count: number): SeedRow[] {
  let state: CustomerState = customerDecider.initialState;
  const rows: SeedRow[] = [];
  const stream = customerStream(customerId(i));
  for (let k = 0; rows.length < count; k++) {
    const commandId = randomUUID();
    const metadata = JSON.stringify({ actor: 'service:bench-seed', commandId, correlationId: commandId, causationId: commandId });
    for (const event of decideCustomer(k === 0 ? registration(i) : command(i, k), state)) {
      state = evolveCustomer(state, event);
      rows.push({ stream, revision: rows.length, id: randomUUID(), type: event.type, version: schemaVersionOf(event.type), data: JSON.stringify(event.data), metadata });
    }
  }
  return rows.slice(0, count);
}

/** Events of customer i: EVENTS spread evenly, the remainder on the first customers. */
const eventsOf = (i: number) => Math.floor(EVENTS / CUSTOMERS) + (i < EVENTS % CUSTOMERS ? 1 : 0);

/**
 * Inserts straight into the log tables, a chunk of customers per transaction on SEED_WRITERS
 * connections: event_store.append per customer would be ~100x slower for the same rows. Each
 * transaction gets its own transaction_id (the column default) and ordered sequences, so log order
 * keeps each stream's order exactly as append would. Personal fields stay plaintext (no data key):
 * the personal-data store decrypts only what is encrypted, so the projections read them as is.
 */
async function seed(pool: pg.Pool): Promise<void> {
  let next = 0;
  const writer = async () => {
    for (;;) {
      const first = next;
      next += SEED_CHUNK;
      if (first >= CUSTOMERS) return;
      const rows: SeedRow[] = [];
      const streams: string[] = [];
      const revisions: number[] = [];
      for (let i = first; i < Math.min(first + SEED_CHUNK, CUSTOMERS); i++) {
        const history = customerHistory(i, eventsOf(i));
        rows.push(...history);
        streams.push(history[0].stream);
        revisions.push(history.length - 1);
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
  // What autovacuum would do after a bulk load: statistics, hint bits and the visibility map set.
  await pool.query('vacuum (analyze) event_store.events, event_store.streams');
}

// ---- measurements --------------------------------------------------------------------------

/** Baseline: one INSERT ... SELECT of every event into a bare table of similar width; rows/s. */
async function baselineInsert(pool: pg.Pool): Promise<{ rows: number; seconds: number }> {
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

interface CatchUp {
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
async function catchUp(pool: pg.Pool, consistency: ReadConsistency, runners: readonly ProjectionRunner[], head: Position): Promise<CatchUp[]> {
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

interface LiveResult {
  readonly appended: number;
  readonly seconds: number;
  readonly appendMs: number[];
  /** Append call -> checkpoint at or past the event, per projection and for both. */
  readonly lagMs: ReadonlyMap<string, number[]>;
  readonly unseen: number;
}

/** LogCall events on random customers at LIVE_RATE/s through the app's event store, lag watched on the checkpoints. */
async function liveLag(store: EventStore, pool: pg.Pool, names: readonly string[]): Promise<LiveResult> {
  const total = LIVE_RATE * LIVE_SECONDS;
  const interval = 1000 / LIVE_RATE;
  interface Pending {
    readonly started: number;
    position?: Position;
    readonly seen: Map<string, number>;
  }
  const pending = new Set<Pending>();
  const appendMs: number[] = [];
  const lagMs = new Map<string, number[]>([...names, 'both'].map((name) => [name, []]));
  // Decided on each customer's registered state: a valid CallLogged, without reading the stream.
  const registered = (i: number) => fold(registration(i));
  let polling = true;
  const poller = (async () => {
    while (polling || pending.size > 0) {
      const { rows } = await pool.query<{ name: string; position: string }>('select name, position from projections.checkpoints where name = any($1)', [names]);
      const now = performance.now();
      for (const entry of pending) {
        if (entry.position === undefined) continue;
        for (const row of rows) {
          if (!entry.seen.has(row.name) && comparePositions(parsePosition(row.position), entry.position) >= 0) {
            entry.seen.set(row.name, now);
            lagMs.get(row.name)?.push(now - entry.started);
          }
        }
        if (entry.seen.size === names.length) {
          lagMs.get('both')?.push(now - entry.started);
          pending.delete(entry);
        }
      }
      await sleep(LIVE_POLL_MS);
    }
  })();

  const appends: Promise<void>[] = [];
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const due = started + n * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const i = Math.floor(Math.random() * CUSTOMERS);
    const commandId = randomUUID();
    const [event] = decideCustomer(
      { type: 'LogCall', customerId: customerId(i), callId: commandId, direction: 'outbound', durationSeconds: 300, outcome: 'follow_up_requested', repId: 'rep-live', summary: 'Live call during the benchmark.', occurredAt: new Date().toISOString() },
      registered(i),
    );
    const entry: Pending = { started: performance.now(), seen: new Map() };
    pending.add(entry);
    appends.push(
      store
        .append(
          customerStream(customerId(i)),
          [{ id: commandId, type: event.type, schemaVersion: schemaVersionOf(event.type), data: dataOf(event), metadata: { actor: 'service:bench-live', commandId, correlationId: commandId, causationId: commandId } }],
          'any',
        )
        .then((result) => {
          appendMs.push(performance.now() - entry.started);
          entry.position = result.position;
        }),
    );
  }
  await Promise.all(appends);
  const seconds = (performance.now() - started) / 1000;
  polling = false;
  // A cleared timer, so that it does not keep the process alive once the poller is done.
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([poller.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(resolve, LIVE_DRAIN_TIMEOUT_MS, false)))]);
  clearTimeout(timer);
  const unseen = pending.size;
  if (!drained) pending.clear();
  await poller;
  return { appended: total, seconds, appendMs, lagMs, unseen };
}

function fold(command: CustomerCommand): CustomerState {
  return decideCustomer(command, customerDecider.initialState).reduce(evolveCustomer, customerDecider.initialState);
}

/** Event data as the store's JSON type: the domain's event interfaces are JSON by construction. */
function dataOf(event: CustomerEvent): JsonObject {
  const data: object = event.data;
  return data as JsonObject;
}

interface QueryResult {
  readonly label: string;
  readonly ms: number[];
  readonly rows: number;
}

async function timeQueries(label: string, run: () => Promise<number>): Promise<QueryResult> {
  // Warm-up: plans cached, connections open.
  for (let n = 0; n < Math.min(50, QUERIES); n++) await run();
  const ms: number[] = [];
  let rows = 0;
  for (let n = 0; n < QUERIES; n++) {
    const started = performance.now();
    rows += await run();
    ms.push(performance.now() - started);
  }
  return { label, ms, rows: rows / QUERIES };
}

// ---- reporting -----------------------------------------------------------------------------

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const row = (cells: readonly string[], widths: readonly number[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main() {
  const database = await createTestDatabase('crm_bench');
  const config = loadConfig({ DATABASE_URL: database.url, PROJECTOR_BATCH_SIZE: String(BATCH_SIZE) });
  const pool = createPool(database.url, { max: 20 });
  const db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  // The store the projector uses: PostgreSQL log, personal-data decryption, upcasting.
  const store = openEventStore(config, pool);
  const projections: readonly Projection[] = [customerTimelineProjection, customerDirectoryProjection];
  const runners = projections.map(
    (projection) =>
      new ProjectionRunner(store, pool, projection, {
        batchSize: BATCH_SIZE,
        logError: (message, error) => console.error(message, error),
      }),
  );
  try {
    await prepareDatabase(config);
    const { rows: versionRows } = await pool.query<{ server_version: string }>('show server_version');
    console.log(`Projections benchmark: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, PostgreSQL ${versionRows[0].server_version}`);
    console.log(`${fmt(EVENTS)} events over ${fmt(CUSTOMERS)} customers, runner batch size ${BATCH_SIZE}, catch-up ${CATCHUP}, ${SEED_WRITERS} seed writers`);

    let started = performance.now();
    await seed(pool);
    const seedSeconds = (performance.now() - started) / 1000;
    const { rows: sizeRows } = await pool.query<{ count: string; size: string }>(
      `select count(*)::text as count, pg_size_pretty(pg_total_relation_size('event_store.events')) as size from event_store.events`,
    );
    console.log(`seeded ${fmt(Number(sizeRows[0].count))} events (${sizeRows[0].size}) in ${fmt(seedSeconds, 1)} s = ${fmt(Number(sizeRows[0].count) / seedSeconds)} ev/s (bulk INSERT, personal fields in plaintext)`);

    const baseline = await baselineInsert(pool);
    console.log(`baseline INSERT ... SELECT of ${fmt(baseline.rows)} rows: ${fmt(baseline.seconds, 1)} s`);

    const head = await store.headPosition();
    if (head === null) throw new Error('the seeded log is empty');
    const consistency = new ReadConsistency(db, { timeoutMs: 2_000, pollMs: 50 });
    const caught = await catchUp(pool, consistency, runners, head);
    for (const result of caught) console.log(`${result.name} caught up: ${fmt(result.applied)} events in ${fmt(result.seconds, 1)} s`);

    started = performance.now();
    const live = await liveLag(store, pool, projections.map((p) => p.name));
    console.log(`live: ${live.appended} appends in ${fmt((performance.now() - started) / 1000, 1)} s, ${live.unseen} not applied within ${LIVE_DRAIN_TIMEOUT_MS / 1000} s`);

    // Statistics as autovacuum would have them by now; the planner needs them for the trigram indexes.
    await pool.query(`analyze ${projectionSchema(CUSTOMER_TIMELINE, 1)}.timeline_entries, ${projectionSchema(CUSTOMER_DIRECTORY, 1)}.customers`);
    const queryDb = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    const timeline = new TimelineQueries(queryDb, projectionSchema(CUSTOMER_TIMELINE, customerTimelineProjection.version));
    const directory = new DirectoryQueries(queryDb, projectionSchema(CUSTOMER_DIRECTORY, customerDirectoryProjection.version));
    const random = (n: number) => Math.floor(Math.random() * n);
    const queries = [
      await timeQueries('timeline page (random customer, 20)', async () => (await timeline.page(customerId(random(CUSTOMERS)), { limit: 20 })).items.length),
      await timeQueries('directory search (3-letter substring, 50)', async () => {
        const name = nameOf(random(CUSTOMERS));
        const from = random(name.length - 2);
        return (await directory.search({ q: name.slice(from, from + 3) }, { sort: 'name', order: 'asc', limit: 50 })).items.length;
      }),
      await timeQueries('directory filter (stage+region, by last interaction, 50)', async () =>
        (await directory.search({ stage: 'customer', region: REGIONS[random(REGIONS.length)] }, { sort: 'lastInteractionAt', order: 'desc', limit: 50 })).items.length,
      ),
    ];
    await queryDb.destroy();

    const baselineRate = baseline.rows / baseline.seconds;
    const w = [58, 12, 14, 12];
    console.log('');
    console.log(row(['catch-up (from position 0 to head)', 'events', 'seconds', 'events/s'], w) + '  ratio to baseline');
    console.log(row(['baseline: INSERT ... SELECT into bare table', fmt(baseline.rows), fmt(baseline.seconds, 1), fmt(baselineRate)], w) + '  1.000');
    for (const result of caught) {
      const rate = result.applied / result.seconds;
      console.log(row([`${result.name} (${CATCHUP === 'together' ? 'both running' : 'alone'})`, fmt(result.applied), fmt(result.seconds, 1), fmt(rate)], w) + `  ${fmt(rate / baselineRate, 4)}`);
    }
    if (CATCHUP === 'together') {
      const seconds = Math.max(...caught.map((c) => c.seconds));
      const applied = caught.reduce((sum, c) => sum + c.applied, 0);
      console.log(row(['both projections (events applied, summed)', fmt(applied), fmt(seconds, 1), fmt(applied / seconds)], w) + `  ${fmt(applied / seconds / baselineRate, 4)}`);
    }
    console.log('');
    const l = [58, 10, 10, 10];
    console.log(row([`live lag at ${LIVE_RATE} appends/s for ${LIVE_SECONDS} s (${LIVE_POLL_MS} ms poll)`, 'samples', 'p50 ms', 'p99 ms'], l));
    console.log(row(['append (app event store, personal data encrypted)', fmt(live.appendMs.length), fmt(percentile(live.appendMs, 50), 1), fmt(percentile(live.appendMs, 99), 1)], l));
    for (const [name, values] of live.lagMs) {
      console.log(row([`append -> applied by ${name}`, fmt(values.length), fmt(percentile(values, 50), 1), fmt(percentile(values, 99), 1)], l));
    }
    console.log('');
    console.log(row([`query latency (${QUERIES} each, sequential)`, 'avg rows', 'p50 ms', 'p99 ms'], l));
    for (const q of queries) console.log(row([q.label, fmt(q.rows, 1), fmt(percentile(q.ms, 50), 2), fmt(percentile(q.ms, 99), 2)], l));
    console.log('');
    console.log(`seeding (not part of the ratio): ${fmt(seedSeconds, 1)} s, including vacuum analyze of the log`);
    console.log('seeded personal fields are plaintext: catch-up skips the data-key lookup an encrypted log costs per event; live appends are encrypted');
  } finally {
    await Promise.all(runners.map((runner) => runner.stop()));
    await store.close();
    await db.destroy();
    await pool.end();
    await database.drop();
  }
}

await main();
