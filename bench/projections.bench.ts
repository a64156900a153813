/**
 * Projections at scale, on a fresh database (dropped at the end):
 *   1. seeds a log (decided by the domain deciders, bulk-loaded straight into event_store.events/streams;
 *      not measured against anything): first BENCH_REPS sales reps, then BENCH_EVENTS customer events over
 *      BENCH_CUSTOMERS customers, BENCH_SALES of them purchases. A rep (teams of 25, a region per team)
 *      is onboarded, gets a commission plan (base rate, software and services rates, two monthly tiers
 *      in EUR), a revenue and deals goal per month of 2023 and two tasks, one done: 17 events. A customer
 *      (histories spread over 2023) has its registration and nine scripted events besides purchases (calls,
 *      e-mails, a visit, a refund, a note, an owner change, ...), then further calls. Its purchases (lines
 *      with categories, sold by its owner or, one in four, a random rep) are its fifth event and, when it
 *      has more, spread evenly among the further calls;
 *   2. catch-up: a ProjectionRunner per projection (timeline, directory, sales-performance, rep-tasks)
 *      from position zero to the head, events/s, against a plain INSERT ... SELECT of the same number of
 *      rows into a bare table in the same run;
 *   3. live lag: with the runners caught up, LogCall events appended through the app's event store at a
 *      steady rate, append -> applied by each projection (checkpoint reached the event's position);
 *   4. query latency: timeline first page, directory substring search, a filtered directory page, the
 *      leaderboard of a month (all reps; one team) and one rep's monthly commissions over 2023.
 *
 *   npm run bench:projections
 *     BENCH_EVENTS (customer events, default 200000), BENCH_REPS (default 1000, 17 events each on top),
 *     BENCH_SALES (PurchaseRecorded events among BENCH_EVENTS; default one per customer),
 *     BENCH_CUSTOMERS (default BENCH_EVENTS/10; with BENCH_SALES, as many as the other events fill at nine
 *     each, at most BENCH_SALES). Every customer buys at least once and has its nine other events, so
 *     BENCH_SALES >= BENCH_CUSTOMERS and BENCH_EVENTS >= BENCH_SALES + 9 x BENCH_CUSTOMERS.
 *     BENCH_BATCH_SIZE (runner batch, default 500), BENCH_SEED_WRITERS (default 4),
 *     BENCH_CATCHUP=separate|together (default separate), BENCH_LIVE_RATE (events/s, default 200),
 *     BENCH_LIVE_SECONDS (default 15), BENCH_QUERIES (per query, default 500)
 *   Full scale, the leaderboard at 1,000 reps and 1,000,000 sales (22,222 customers of ~45 purchases;
 *   roughly 40 min here, estimated from a run at a tenth of it):
 *     BENCH_EVENTS=1200000 BENCH_SALES=1000000 BENCH_REPS=1000 npm run bench:projections
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
  repDecider,
  repStream,
  schemaVersionOf,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerState,
  type Decider,
  type PurchaseLineInput,
  type RepCommand,
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
import { repTasksProjection } from '../projections/rep-tasks/rep-tasks.projection.js';
import { SALES_PERFORMANCE, salesPerformanceProjection } from '../projections/sales-performance/sales-performance.projection.js';
import { SalesPerformanceQueries } from '../projections/sales-performance/sales-performance.queries.js';

// Each projection catches up at ~3,000 ev/s here whatever its work (rep-tasks, with next to nothing
// to apply, is no faster: reading the log bounds it), so four catch-ups of the default 217,000 events
// plus seeding and queries take ~6 min.
const EVENTS = positiveInteger('BENCH_EVENTS', 200_000);
const REPS = positiveInteger('BENCH_REPS', 1_000);
/** A customer's scripted history: registration and commands 1 to 9, all but command 4 (its first purchase) other events. */
const SCRIPTED = 10;
const SCRIPTED_OTHERS = SCRIPTED - 1;
const SALES_GIVEN = optionalPositiveInteger('BENCH_SALES');
const CUSTOMERS = positiveInteger(
  'BENCH_CUSTOMERS',
  Math.max(1, SALES_GIVEN === undefined ? Math.round(EVENTS / SCRIPTED) : Math.min(SALES_GIVEN, Math.floor((EVENTS - SALES_GIVEN) / SCRIPTED_OTHERS))),
);
/** By default one purchase per customer: the scripted history's. */
const SALES = SALES_GIVEN ?? CUSTOMERS;
const BATCH_SIZE = positiveInteger('BENCH_BATCH_SIZE', 500);
const SEED_WRITERS = positiveInteger('BENCH_SEED_WRITERS', 4);
const CATCHUP = process.env.BENCH_CATCHUP === 'together' ? 'together' : 'separate';
const LIVE_RATE = positiveInteger('BENCH_LIVE_RATE', 200);
const LIVE_SECONDS = positiveInteger('BENCH_LIVE_SECONDS', 15);
const QUERIES = positiveInteger('BENCH_QUERIES', 500);
/** Events per seeding transaction (whole streams): large enough that round trips do not matter. */
const SEED_CHUNK_EVENTS = 10_000;
const LIVE_POLL_MS = 5;
/** How long live events may take to show before the run gives up on them. */
const LIVE_DRAIN_TIMEOUT_MS = 60_000;
const CATCHUP_TIMEOUT_MS = positiveInteger('BENCH_CATCHUP_TIMEOUT_S', 3_600) * 1000;

if (SALES < CUSTOMERS || EVENTS - SALES < SCRIPTED_OTHERS * CUSTOMERS) {
  throw new Error(
    `${EVENTS} events cannot make ${CUSTOMERS} customers with ${SALES} purchases: each customer buys at least once and has ` +
      `${SCRIPTED_OTHERS} other events (BENCH_SALES >= BENCH_CUSTOMERS, BENCH_EVENTS >= BENCH_SALES + ${SCRIPTED_OTHERS} x BENCH_CUSTOMERS)`,
  );
}
// Every customer changes owner once (AssignOwner to another rep).
if (REPS < 2) throw new Error('BENCH_REPS must be at least 2');

function optionalPositiveInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

function positiveInteger(name: string, fallback: number): number {
  return optionalPositiveInteger(name) ?? fallback;
}

// ---- synthetic sales force -------------------------------------------------------------------

const FIRST = ['Akiko', 'Bruno', 'Chiara', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hiroshi', 'Ingrid', 'Jonas', 'Kamala', 'Lucas', 'Mireille', 'Nikolai', 'Olga', 'Pedro', 'Quentin', 'Rosa', 'Sven', 'Tamara', 'Ugo', 'Valeria', 'Wojciech', 'Ximena', 'Yusuf', 'Zofia'];
const LAST = ['Andersson', 'Brennan', 'Castillo', 'Dubois', 'Eriksen', 'Fontaine', 'Gallagher', 'Horvath', 'Ishikawa', 'Jankowski', 'Kowalczyk', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrovic', 'Quiroga', 'Romano', 'Schneider', 'Takahashi', 'Umarov', 'Valdez', 'Wagner', 'Xiong', 'Yilmaz', 'Zimmermann'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka'];
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'coast', 'highlands', 'islands'];
const INDUSTRIES = ['retail', 'software', 'manufacturing', 'finance', 'health', 'logistics'];
const nameOf = (i: number) => `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${(i * 7919) % 100_000}`;

/** The year sold in: customers' histories are spread over it, reps have a goal for each of its months. */
const YEAR = 2023;
const MONTHS = Array.from({ length: 12 }, (_, m) => `${YEAR}-${String(m + 1).padStart(2, '0')}-01`);
const CURRENCY = 'EUR';
const TEAM_SIZE = 25;
const TEAMS = Math.ceil(REPS / TEAM_SIZE);
const repIdOf = (r: number) => `r${String(r).padStart(5, '0')}`;
const customerId = (i: number) => `c${String(i).padStart(7, '0')}`;
const teamOf = (r: number) => `team-${String(Math.floor(r / TEAM_SIZE)).padStart(3, '0')}`;

/** Purchases come in this many kinds (`purchaseLines(v)` repeats with `v`). */
const PURCHASE_KINDS = 6;

/** A purchase's lines, varied by `v`: hardware earns the base rate, software and services their own, an accessory has no category. */
function purchaseLines(v: number): PurchaseLineInput[] {
  return [
    { productSku: 'SKU-100', category: 'hardware', quantity: 1 + (v % 3), unitPriceMinor: 4_999, currency: CURRENCY },
    { productSku: 'SKU-200', category: 'software', quantity: 1, unitPriceMinor: 19_900, currency: CURRENCY },
    ...(v % 2 === 0 ? [{ productSku: 'SKU-300', category: 'services', quantity: 1, unitPriceMinor: 60_000, currency: CURRENCY }] : []),
    ...(v % 3 === 0 ? [{ productSku: 'SKU-900', quantity: 2, unitPriceMinor: 1_500, currency: CURRENCY }] : []),
  ];
}

const saleTotal = (v: number) => purchaseLines(v).reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
const AVERAGE_SALE_MINOR = Array.from({ length: PURCHASE_KINDS }, (_, v) => saleTotal(v)).reduce((a, b) => a + b) / PURCHASE_KINDS;
/** What a rep sells in a month on average here: goals and tier thresholds around it, so attainment and tiers vary at any scale. */
const MONTHLY_REVENUE_PER_REP = (SALES / REPS / MONTHS.length) * AVERAGE_SALE_MINOR;

/** Rep r's history, set up in December before the year: onboarded, a plan, a goal per month, two tasks (one done). */
function repCommands(r: number): RepCommand[] {
  const repId = repIdOf(r);
  const setAt = `${YEAR - 1}-12-15T09:00:00.000Z`;
  // Targets from 80 % to 120 % of the average; at least 2, so the half-target tier sits below the full one.
  const target = Math.max(2, Math.round((MONTHLY_REVENUE_PER_REP * (8 + (r % 5))) / 10));
  const baseRateBps = 400 + (r % 3) * 100;
  return [
    {
      type: 'OnboardRep',
      repId,
      name: nameOf(r),
      email: `rep.${r}@example.com`,
      team: teamOf(r),
      region: REGIONS[Math.floor(r / TEAM_SIZE) % REGIONS.length],
      startDate: `${YEAR - 1}-06-01`,
      onboardedAt: `${YEAR - 1}-12-01T09:00:00.000Z`,
    },
    {
      type: 'SetCommissionPlan',
      repId,
      planId: `plan-${r}`,
      effectiveFrom: MONTHS[0],
      baseRateBps,
      categoryRates: [
        { category: 'software', rateBps: baseRateBps + 300 },
        { category: 'services', rateBps: baseRateBps + 700 },
      ],
      // Accelerators on the month's revenue past half the target, and past the target.
      tiers: [
        { thresholdMinor: Math.ceil(target / 2), rateBps: baseRateBps + 200 },
        { thresholdMinor: target, rateBps: baseRateBps + 500 },
      ],
      tierPeriod: 'month',
      currency: CURRENCY,
      setAt,
    },
    ...MONTHS.map(
      (periodStart): RepCommand => ({
        type: 'SetGoal',
        repId,
        period: 'month',
        periodStart,
        revenueMinor: target,
        currency: CURRENCY,
        deals: Math.max(1, Math.round(SALES / REPS / MONTHS.length)),
        setAt,
      }),
    ),
    { type: 'AssignTask', repId, taskId: `task-${r}-1`, kind: 'call', title: 'Call about the renewal', customerId: customerId(r), dueOn: `${YEAR}-01-20`, assignedAt: setAt },
    { type: 'AssignTask', repId, taskId: `task-${r}-2`, kind: 'send_proposal', title: 'Send the revised proposal', customerId: customerId(r), dueOn: `${YEAR}-02-01`, assignedAt: setAt },
    { type: 'CompleteTask', repId, taskId: `task-${r}-1`, outcome: 'Renewal agreed', completedAt: `${YEAR}-01-18T10:00:00.000Z` },
  ];
}

const EVENTS_PER_REP = repCommands(0).length;

// ---- synthetic customers ---------------------------------------------------------------------

const EPOCH = Date.UTC(YEAR, 0, 1);
const HOUR = 3_600_000;
/** Customers start over the first 360 days, their histories hours long: the sales land in every month. */
const SPREAD_MS = 360 * 24 * HOUR;

const at = (i: number, hours: number) => new Date(EPOCH + Math.floor((i / CUSTOMERS) * SPREAD_MS) + hours * HOUR).toISOString();
/** `total` spread evenly over the customers, the remainder on the first ones. */
const share = (total: number, i: number) => Math.floor(total / CUSTOMERS) + (i < total % CUSTOMERS ? 1 : 0);
const salesOf = (i: number) => share(SALES, i);
const eventsOf = (i: number) => share(EVENTS - SALES, i) + salesOf(i);

/** A deterministic hash of two integers: the same "random" choices every run. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0xc2b2ae35, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

/** The customer's owner: set by the registration, changed by command 8. */
const ownerOf = (i: number, state: CustomerState) => state.ownerRepId ?? repIdOf(i % REPS);

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
    ownerRepId: repIdOf(i % REPS),
    registeredAt: at(i, 0),
  };
}

/** Customer i's purchase as its k-th command: sold by its owner or, one in four, by a random rep. */
function purchase(i: number, k: number, orderId: string, state: CustomerState): CustomerCommand {
  const seller = mix(i, k) % 4 === 0 ? repIdOf(mix(k, i) % REPS) : ownerOf(i, state);
  return { type: 'RecordPurchase', customerId: customerId(i), orderId, lines: purchaseLines(i + k), repId: seller, purchasedAt: at(i, k) };
}

/** Whether customer i's k-th command (past the scripted ones) is one of its further purchases, spread evenly among its calls. */
function furtherPurchase(i: number, k: number): boolean {
  const slots = eventsOf(i) - SCRIPTED;
  const purchases = salesOf(i) - 1;
  const t = k - SCRIPTED;
  return Math.floor(((t + 1) * purchases) / slots) > Math.floor((t * purchases) / slots);
}

/** The k-th command (k >= 1) of customer i: a typical CRM history, then calls and further purchases. */
function command(i: number, k: number, state: CustomerState): CustomerCommand {
  const id = customerId(i);
  const when = at(i, k);
  const rep = ownerOf(i, state);
  switch (k) {
    case 1:
    case 5:
      return { type: 'LogCall', customerId: id, callId: `call-${i}-${k}`, direction: 'outbound', durationSeconds: 120 + k, outcome: 'interested', repId: rep, summary: 'Discussed the renewal; asked for a revised proposal.', occurredAt: when };
    case 2:
      return { type: 'LogEmail', customerId: id, emailId: `mail-${i}-${k}`, direction: 'inbound', subject: 'Re: proposal', summary: 'Customer replied with questions on pricing.', repId: rep, occurredAt: when };
    case 3:
      return { type: 'RecordSiteVisit', customerId: id, visitId: `visit-${i}`, url: 'https://example.com/pricing', pageCount: 4, durationSeconds: 180, occurredAt: when };
    case 4:
      return purchase(i, k, `order-${i}`, state);
    case 6:
      return { type: 'RecordRefund', customerId: id, refundId: `refund-${i}`, orderId: `order-${i}`, lines: [{ lineNo: 1, quantity: 1 }], reason: 'damaged', refundedAt: when };
    case 7:
      return { type: 'AddNote', customerId: id, noteId: `note-${i}`, text: 'Prefers calls in the morning; decision maker is the CFO.', authorRepId: rep, addedAt: when };
    case 8:
      return { type: 'AssignOwner', customerId: id, repId: repIdOf((i + 1) % REPS), assignedAt: when };
    case 9:
      // Every other customer (the prospects) converts at its tenth event; the leads get an e-mail.
      if (i % 2 === 1) return { type: 'ConvertLead', customerId: id, convertedAt: when };
      return { type: 'LogEmail', customerId: id, emailId: `mail-${i}-${k}`, direction: 'outbound', subject: 'Follow-up', repId: rep, occurredAt: when };
    default:
      if (furtherPurchase(i, k)) return purchase(i, k, `order-${i}-${k}`, state);
      return { type: 'LogCall', customerId: id, callId: `call-${i}-${k}`, direction: 'inbound', durationSeconds: 60 + k, outcome: 'connected', repId: rep, occurredAt: when };
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

/** `count` events of a stream as its decider decides them (`commandAt(k, state)`: the k-th command), ready for the events table. */
function decidedHistory<C, E extends { readonly type: string; readonly data: object }, S>(
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

function repHistory(r: number): SeedRow[] {
  const commands = repCommands(r);
  return decidedHistory(repDecider, repStream(repIdOf(r)), commands.length, (k) => commands[k]);
}

function customerHistory(i: number): SeedRow[] {
  return decidedHistory(customerDecider, customerStream(customerId(i)), eventsOf(i), (k, state) => (k === 0 ? registration(i) : command(i, k, state)));
}

/**
 * Inserts straight into the log tables, whole streams per transaction on SEED_WRITERS connections:
 * event_store.append per stream would be ~100x slower for the same rows. Each transaction gets its
 * own transaction_id (the column default) and ordered sequences, so log order keeps each stream's
 * order exactly as append would. Personal fields stay plaintext (no data key): the personal-data
 * store decrypts only what is encrypted, so the projections read them as is.
 */
async function seed(pool: pg.Pool): Promise<void> {
  // The reps are committed before any customer: their plans precede every sale in the log (a sale
  // before its rep's plan would earn nothing), as a sales force set up before selling.
  await seedStreams(pool, REPS, EVENTS_PER_REP, repHistory);
  await seedStreams(pool, CUSTOMERS, EVENTS / CUSTOMERS, customerHistory);
  // What autovacuum would do after a bulk load: statistics, hint bits and the visibility map set.
  await pool.query('vacuum (analyze) event_store.events, event_store.streams');
}

/** Streams 0 to count - 1 (`history(n)`, about `eventsEach` events each), a chunk per transaction. */
async function seedStreams(pool: pg.Pool, count: number, eventsEach: number, history: (n: number) => SeedRow[]): Promise<void> {
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
  /** Append call -> checkpoint at or past the event, per projection and for all of them. */
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
  const lagMs = new Map<string, number[]>([...names, 'all'].map((name) => [name, []]));
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
          lagMs.get('all')?.push(now - entry.started);
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
    const state = registered(i);
    // By the owner: sales-performance counts the call for them (a live activity row).
    const [event] = decideCustomer(
      { type: 'LogCall', customerId: customerId(i), callId: commandId, direction: 'outbound', durationSeconds: 300, outcome: 'follow_up_requested', repId: ownerOf(i, state), summary: 'Live call during the benchmark.', occurredAt: new Date().toISOString() },
      state,
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
  const projections: readonly Projection[] = [customerTimelineProjection, customerDirectoryProjection, salesPerformanceProjection, repTasksProjection];
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
    console.log(
      `${fmt(REPS)} reps (${fmt(REPS * EVENTS_PER_REP)} events, ${fmt(TEAMS)} teams) + ${fmt(EVENTS)} customer events over ${fmt(CUSTOMERS)} customers, ${fmt(SALES)} of them purchases; ` +
        `runner batch size ${BATCH_SIZE}, catch-up ${CATCHUP}, ${SEED_WRITERS} seed writers`,
    );

    let started = performance.now();
    await seed(pool);
    const seedSeconds = (performance.now() - started) / 1000;
    const { rows: sizeRows } = await pool.query<{ count: string; sales: string; size: string }>(
      `select count(*)::text as count, count(*) filter (where type = 'PurchaseRecorded')::text as sales,
              pg_size_pretty(pg_total_relation_size('event_store.events')) as size
       from event_store.events`,
    );
    const seeded = Number(sizeRows[0].count);
    console.log(`seeded ${fmt(seeded)} events (${fmt(Number(sizeRows[0].sales))} PurchaseRecorded; ${sizeRows[0].size}) in ${fmt(seedSeconds, 1)} s = ${fmt(seeded / seedSeconds)} ev/s (bulk INSERT, personal fields in plaintext)`);

    const baseline = await baselineInsert(pool);
    console.log(`baseline INSERT ... SELECT of ${fmt(baseline.rows)} rows: ${fmt(baseline.seconds, 1)} s`);

    const head = await store.headPosition();
    if (head === null) throw new Error('the seeded log is empty');
    const consistency = new ReadConsistency(db, { timeoutMs: 2_000, pollMs: 50 });
    const caught = await catchUp(pool, consistency, runners, head);
    for (const result of caught) console.log(`${result.name} caught up: ${fmt(result.applied)} events in ${fmt(result.seconds, 1)} s`);
    const salesSchema = projectionSchema(SALES_PERFORMANCE, salesPerformanceProjection.version);
    // That the commission projection did real work: lines paid, lines split at a tier threshold.
    const { rows: workRows } = await pool.query<{ lines: string; paid: string; tiered: string; commission: string }>(
      `select count(*)::text as lines, count(*) filter (where commission_minor > 0)::text as paid,
              count(*) filter (where jsonb_array_length(segments) > 1)::text as tiered, coalesce(sum(commission_minor), 0)::text as commission
       from ${salesSchema}.sale_lines`,
    );
    const work = workRows[0];
    console.log(`${SALES_PERFORMANCE}: ${fmt(Number(work.lines))} sale lines, ${fmt(Number(work.paid))} earning commission, ${fmt(Number(work.tiered))} split at a tier threshold; ${fmt(Number(work.commission) / 100)} ${CURRENCY} commission`);

    started = performance.now();
    const live = await liveLag(store, pool, projections.map((p) => p.name));
    console.log(`live: ${live.appended} appends in ${fmt((performance.now() - started) / 1000, 1)} s, ${live.unseen} not applied within ${LIVE_DRAIN_TIMEOUT_MS / 1000} s`);

    // Statistics as autovacuum would have them by now; the planner needs them for the trigram indexes and the leaderboard's joins.
    await pool.query(
      `analyze ${projectionSchema(CUSTOMER_TIMELINE, 1)}.timeline_entries, ${projectionSchema(CUSTOMER_DIRECTORY, 1)}.customers,
               ${salesSchema}.reps, ${salesSchema}.sales_totals, ${salesSchema}.activity_totals, ${salesSchema}.goals`,
    );
    const queryDb = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    const timeline = new TimelineQueries(queryDb, projectionSchema(CUSTOMER_TIMELINE, customerTimelineProjection.version));
    const directory = new DirectoryQueries(queryDb, projectionSchema(CUSTOMER_DIRECTORY, customerDirectoryProjection.version));
    const sales = new SalesPerformanceQueries(queryDb, salesSchema);
    const random = (n: number) => Math.floor(Math.random() * n);
    const month = () => MONTHS[random(MONTHS.length)];
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
      await timeQueries(`leaderboard (random month of ${YEAR}, all reps)`, async () => (await sales.leaderboard({ period: 'month', date: month() })).items.length),
      await timeQueries(`leaderboard (random month, one team)`, async () =>
        (await sales.leaderboard({ period: 'month', date: month(), team: teamOf(random(REPS)) })).items.length,
      ),
      await timeQueries(`rep commissions (random rep, 12 months of ${YEAR})`, async () =>
        (await sales.repCommissions(repIdOf(random(REPS)), { period: 'month', from: MONTHS[0], to: `${YEAR}-12-31` })).length,
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
      console.log(row([`${result.name} (${CATCHUP === 'together' ? 'all running' : 'alone'})`, fmt(result.applied), fmt(result.seconds, 1), fmt(rate)], w) + `  ${fmt(rate / baselineRate, 4)}`);
    }
    if (CATCHUP === 'together') {
      const seconds = Math.max(...caught.map((c) => c.seconds));
      const applied = caught.reduce((sum, c) => sum + c.applied, 0);
      console.log(row(['all projections (events applied, summed)', fmt(applied), fmt(seconds, 1), fmt(applied / seconds)], w) + `  ${fmt(applied / seconds / baselineRate, 4)}`);
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
