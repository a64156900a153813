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
 *   2. catch-up: a ProjectionRunner per projection (timeline, directory, sales-performance, rep-tasks, purchase-frequency)
 *      from position zero to the head, events/s, against a plain INSERT ... SELECT of the same number of
 *      rows into a bare table in the same run;
 *   3. live lag: with the runners caught up, LogCall events appended through the app's event store at a
 *      steady rate, append -> applied by each projection (checkpoint reached the event's position);
 *   4. query latency: timeline first page, directory substring search, a filtered directory page, the
 *      leaderboard of a month (all reps; one team), one rep's monthly commissions over 2023 and one
 *      customer's purchase frequency.
 *
 *   npm run bench:projections
 *     BENCH_EVENTS (customer events, default 200000), BENCH_REPS (default 1000, 17 events each on top),
 *     BENCH_SALES (PurchaseRecorded events among BENCH_EVENTS; default one per customer),
 *     BENCH_CUSTOMERS (default BENCH_EVENTS/10; with BENCH_SALES, as many as the other events fill at nine
 *     each, at most BENCH_SALES). Every customer buys at least once and has its nine other events, so
 *     BENCH_SALES >= BENCH_CUSTOMERS and BENCH_EVENTS >= BENCH_SALES + 9 x BENCH_CUSTOMERS.
 *     BENCH_BATCH_SIZE (runner batch, default 500), BENCH_SEED_WRITERS (default 4),
 *     BENCH_CATCHUP=separate|together (default separate), BENCH_PROJECTIONS (comma-separated names; default all), BENCH_LIVE_RATE (events/s, default 200),
 *     BENCH_LIVE_SECONDS (default 15), BENCH_QUERIES (per query, default 500)
 *   Full scale: 1,000,000 customer events over 100,000 customers, every projection:
 *     BENCH_EVENTS=1000000 BENCH_CUSTOMERS=100000 npm run bench:projections
 *   and the leaderboard at 1,000 reps and 1,000,000 sales (22,222 customers of ~45 purchases), the
 *   commission projection alone:
 *     BENCH_EVENTS=1200000 BENCH_SALES=1000000 BENCH_REPS=1000 BENCH_PROJECTIONS=sales-performance npm run bench:projections
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import {
  customerDecider,
  customerStream,
  decideCustomer,
  evolveCustomer,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerState,
  type PurchaseLineInput,
} from '#customers/domain';
import { repDecider, repStream, type RepCommand } from '#sales/domain';
import { schemaVersionOf } from '#event-catalog';
import { comparePositions, parsePosition, type EventStore, type JsonObject, type Position } from '#event-store';
import type { Projection } from '#read-model-engine';
import { customerDirectoryProjection, DirectoryQueries } from '#projections/customer-directory';
import { customerTimelineProjection, TimelineQueries } from '#projections/customer-timeline';
import { purchaseFrequencyProjection, PurchaseFrequencyQueries } from '#projections/purchase-frequency';
import { repTasksProjection } from '#projections/rep-tasks';
import { salesPerformanceProjection, SalesPerformanceQueries } from '#projections/sales-performance';
import {
  BATCH_SIZE,
  CATCHUP,
  LATENCY_WIDTHS,
  analyzeReadModels,
  baselineInsert,
  catchUp,
  fmt,
  optionalPositiveInteger,
  percentile,
  positiveInteger,
  printCatchUp,
  printQueries,
  row,
  runBench,
  schemaOf,
  selectedProjections,
  sleep,
  timeQueries,
  type QueryResult,
} from './support/harness.js';
import { SEED_WRITERS, decidedHistory, logStats, mix, seedLog, type SeedRow } from './support/seed.js';

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
const LIVE_RATE = positiveInteger('BENCH_LIVE_RATE', 200);
const LIVE_SECONDS = positiveInteger('BENCH_LIVE_SECONDS', 15);
const QUERIES = positiveInteger('BENCH_QUERIES', 500);
const LIVE_POLL_MS = 5;
/** How long live events may take to show before the run gives up on them. */
const LIVE_DRAIN_TIMEOUT_MS = 60_000;

if (SALES < CUSTOMERS || EVENTS - SALES < SCRIPTED_OTHERS * CUSTOMERS) {
  throw new Error(
    `${EVENTS} events cannot make ${CUSTOMERS} customers with ${SALES} purchases: each customer buys at least once and has ` +
      `${SCRIPTED_OTHERS} other events (BENCH_SALES >= BENCH_CUSTOMERS, BENCH_EVENTS >= BENCH_SALES + ${SCRIPTED_OTHERS} x BENCH_CUSTOMERS)`,
  );
}
// Every customer changes owner once (AssignOwner to another rep).
if (REPS < 2) throw new Error('BENCH_REPS must be at least 2');

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

function repHistory(r: number): SeedRow[] {
  const commands = repCommands(r);
  return decidedHistory(repDecider, repStream(repIdOf(r)), commands.length, (k) => commands[k]);
}

function customerHistory(i: number): SeedRow[] {
  return decidedHistory(customerDecider, customerStream(customerId(i)), eventsOf(i), (k, state) => (k === 0 ? registration(i) : command(i, k, state)));
}

// ---- measurements --------------------------------------------------------------------------

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

/** Prints what the commission projection did: lines paid, lines split at a tier threshold. */
async function reportCommissionWork(pool: pg.Pool, salesSchema: string): Promise<void> {
  const { rows: workRows } = await pool.query<{ lines: string; paid: string; tiered: string; commission: string }>(
    `select count(*)::text as lines, count(*) filter (where commission_minor > 0)::text as paid,
            count(*) filter (where jsonb_array_length(segments) > 1)::text as tiered, coalesce(sum(commission_minor), 0)::text as commission
     from ${salesSchema}.sale_lines`,
  );
  const work = workRows[0];
  console.log(
    `${salesPerformanceProjection.name}: ${fmt(Number(work.lines))} sale lines, ${fmt(Number(work.paid))} earning commission, ${fmt(Number(work.tiered))} split at a tier threshold; ${fmt(Number(work.commission) / 100)} ${CURRENCY} commission`,
  );
}

async function main() {
  const projections = selectedProjections([customerTimelineProjection, customerDirectoryProjection, salesPerformanceProjection, repTasksProjection, purchaseFrequencyProjection]);
  const runs = (projection: Projection) => projections.includes(projection);
  await runBench('Projections benchmark', projections, async (bench) => {
    const { pool, store, db } = bench;
    console.log(
      `${fmt(REPS)} reps (${fmt(REPS * EVENTS_PER_REP)} events, ${fmt(TEAMS)} teams) + ${fmt(EVENTS)} customer events over ${fmt(CUSTOMERS)} customers, ${fmt(SALES)} of them purchases; ` +
        `runner batch size ${BATCH_SIZE}, catch-up ${CATCHUP}, ${SEED_WRITERS} seed writers`,
    );

    // The reps are committed before any customer: their plans precede every sale in the log (a sale
    // before its rep's plan would earn nothing), as a sales force set up before selling.
    const seedSeconds = await seedLog(pool, [
      { count: REPS, eventsEach: EVENTS_PER_REP, history: repHistory },
      { count: CUSTOMERS, eventsEach: EVENTS / CUSTOMERS, history: customerHistory },
    ]);
    const log = await logStats(pool);
    console.log(
      `seeded ${fmt(log.events)} events (${fmt(log.byType.get('PurchaseRecorded') ?? 0)} PurchaseRecorded; ${log.size}) in ${fmt(seedSeconds, 1)} s = ${fmt(log.events / seedSeconds)} ev/s (bulk INSERT, personal fields in plaintext)`,
    );

    const baseline = await baselineInsert(pool);
    console.log(`baseline INSERT ... SELECT of ${fmt(baseline.rows)} rows: ${fmt(baseline.seconds, 1)} s`);

    const head = await store.headPosition();
    if (head === null) throw new Error('the seeded log is empty');
    const caught = await catchUp(bench, head);
    for (const result of caught) console.log(`${result.name} caught up: ${fmt(result.applied)} events in ${fmt(result.seconds, 1)} s`);
    const salesSchema = schemaOf(salesPerformanceProjection);
    if (runs(salesPerformanceProjection)) await reportCommissionWork(pool, salesSchema);

    const started = performance.now();
    const live = await liveLag(store, pool, projections.map((p) => p.name));
    console.log(`live: ${live.appended} appends in ${fmt((performance.now() - started) / 1000, 1)} s, ${live.unseen} not applied within ${LIVE_DRAIN_TIMEOUT_MS / 1000} s`);

    // The planner needs statistics for the trigram indexes and the leaderboard's joins.
    await analyzeReadModels(pool, projections);
    const timeline = new TimelineQueries(db, schemaOf(customerTimelineProjection));
    const directory = new DirectoryQueries(db, schemaOf(customerDirectoryProjection));
    const sales = new SalesPerformanceQueries(db, salesSchema);
    const random = (n: number) => Math.floor(Math.random() * n);
    const month = () => MONTHS[random(MONTHS.length)];
    const timed = (label: string, run: () => Promise<number>) => timeQueries(label, QUERIES, Math.min(50, QUERIES), run);
    const queries: QueryResult[] = [];
    if (runs(customerTimelineProjection)) {
      queries.push(await timed('timeline page (random customer, 20)', async () => (await timeline.page(customerId(random(CUSTOMERS)), { limit: 20 })).items.length));
    }
    if (runs(customerDirectoryProjection)) {
      queries.push(
        await timed('directory search (3-letter substring, 50)', async () => {
        const name = nameOf(random(CUSTOMERS));
        const from = random(name.length - 2);
          return (await directory.search({ q: name.slice(from, from + 3) }, { sort: 'name', order: 'asc', limit: 50 })).items.length;
        }),
        await timed('directory filter (stage+region, by last interaction, 50)', async () =>
          (await directory.search({ stage: 'customer', region: REGIONS[random(REGIONS.length)] }, { sort: 'lastInteractionAt', order: 'desc', limit: 50 })).items.length,
        ),
      );
    }
    if (runs(salesPerformanceProjection)) {
      queries.push(
        await timed(`leaderboard (random month of ${YEAR}, all reps)`, async () => (await sales.leaderboard({ period: 'month', date: month() })).items.length),
        await timed(`leaderboard (random month, one team)`, async () => (await sales.leaderboard({ period: 'month', date: month(), team: teamOf(random(REPS)) })).items.length),
        await timed(`rep commissions (random rep, 12 months of ${YEAR})`, async () =>
          (await sales.repCommissions(repIdOf(random(REPS)), { period: 'month', from: MONTHS[0], to: `${YEAR}-12-31` })).length,
        ),
      );
    }

    if (runs(purchaseFrequencyProjection)) {
      // The scheduler runs in the worker, not here: no job status to join.
      const frequency = new PurchaseFrequencyQueries(db as unknown as Kysely<unknown>, schemaOf(purchaseFrequencyProjection), null);
      queries.push(await timed('purchase frequency (random customer)', async () => ((await frequency.get(customerId(random(CUSTOMERS)), `${YEAR}-12-31`)) === undefined ? 0 : 1)));
    }

    printCatchUp(baseline, caught);
    console.log('');
    console.log(row([`live lag at ${LIVE_RATE} appends/s for ${LIVE_SECONDS} s (${LIVE_POLL_MS} ms poll)`, 'samples', 'p50 ms', 'p99 ms'], LATENCY_WIDTHS));
    console.log(row(['append (app event store, personal data encrypted)', fmt(live.appendMs.length), fmt(percentile(live.appendMs, 50), 1), fmt(percentile(live.appendMs, 99), 1)], LATENCY_WIDTHS));
    for (const [name, values] of live.lagMs) {
      console.log(row([`append -> applied by ${name}`, fmt(values.length), fmt(percentile(values, 50), 1), fmt(percentile(values, 99), 1)], LATENCY_WIDTHS));
    }
    printQueries(`query latency (${QUERIES} each, sequential)`, queries);
    console.log('');
    console.log(`seeding (not part of the ratio): ${fmt(seedSeconds, 1)} s, including vacuum analyze of the log`);
    console.log('seeded personal fields are plaintext: catch-up skips the data-key lookup an encrypted log costs per event; live appends are encrypted');
  });
}

await main();
