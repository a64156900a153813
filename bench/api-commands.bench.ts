/**
 * Throughput and latency of a command through the whole HTTP api, POST /customers/:id/calls (auth,
 * validation, load stream, decide, append), against a baseline route on the same server in the same
 * run: POST /bench/customers/:id/calls, with the same guard, pipe, interceptor and body, doing one
 * plain INSERT. Their ratio is the cost of the command path. 32 concurrent keep-alive clients;
 * the server runs in a child process (bench/api-commands.server.ts) so that the load generator does
 * not share its event loop, on a fresh database that is dropped at the end.
 *
 *   npm run bench:commands          (BENCH_REQUESTS=<requests per round and route>, default 4000;
 *                                    BENCH_WARMUP=<warm-up requests per route>, default 300;
 *                                    BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server there)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createTestDatabase } from '#testing';
import type { ParentMessage, ServerMessage } from './api-commands.server.js';

const REQUESTS = positiveInteger('BENCH_REQUESTS', 4_000);
const CLIENTS = 32;
const CUSTOMERS = 256;
const WARMUP_REQUESTS = positiveInteger('BENCH_WARMUP', 300);
const ROUNDS = 2;
const REQUEST_TIMEOUT_MS = 30_000;
const SERVER_START_TIMEOUT_MS = 60_000;
const SERVER_STOP_TIMEOUT_MS = 10_000;

interface Route {
  readonly name: string;
  readonly label: string;
  readonly path: (customerId: string) => string;
}
const BASELINE: Route = { name: 'baseline', label: 'POST /bench/customers/:id/calls (plain INSERT)', path: (id) => `/bench/customers/${id}/calls` };
const CALLS: Route = { name: 'calls', label: 'POST /customers/:id/calls (command)', path: (id) => `/customers/${id}/calls` };

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  readonly apiKey: string;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** CPU time so far in ms: the load generator, the api server, and per pid the PostgreSQL processes at work for the bench (null off Linux). */
interface CpuSnapshot {
  readonly client: number;
  readonly server: number;
  readonly postgres: ReadonlyMap<number, number> | null;
}

/** CPU ms per request of the load generator, the api server and PostgreSQL. */
interface CpuPerRequest {
  readonly client: number;
  readonly server: number;
  readonly postgres: number | null;
}

interface RoundResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly conflicts: number;
  readonly cpu: CpuPerRequest;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  // Bounded so that a typo cannot start an endless run.
  if (!Number.isInteger(value) || value < 1 || value > 1_000_000) throw new Error(`${name} must be an integer from 1 to 1000000, not ${raw}`);
  return value;
}

/** A call as a client would log it; the same body goes to both routes, so parsing and validating cost the same. */
function callBody(n: number): string {
  return JSON.stringify({
    direction: n % 2 === 0 ? 'outbound' : 'inbound',
    durationSeconds: 60 + (n % 900),
    outcome: 'follow_up_requested',
    repId: `rep-${n % 17}`,
    summary: 'Discussed the renewal of the support contract; customer asked for a revised proposal by Friday.',
  });
}

function customerBody(i: number): string {
  return JSON.stringify({
    customerId: customerId(i),
    source: 'api',
    contact: { name: `Bench Customer ${i}`, email: `bench-${i}@example.com`, phone: '+49 69 1234567' },
    company: { name: 'Analytical Engines Ltd' },
    tags: ['bench'],
  });
}

const customerId = (i: number) => `bench-customer-${i}`;

async function startServer(databaseUrl: string): Promise<Server> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const child = fork(fileURLToPath(new URL('./api-commands.server.js', import.meta.url)), [], {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl },
    execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  try {
    return await new Promise<Server>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bench server did not start within ${SERVER_START_TIMEOUT_MS} ms`)), SERVER_START_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the bench server exited with code ${code} before it was ready`));
      });
      child.on('message', (message: ServerMessage) => {
        if (message.kind !== 'ready') return;
        clearTimeout(timer);
        resolve({ child, port: message.port, apiKey: message.apiKey });
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ kind: 'stop' } satisfies ParentMessage);
  const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function serverCpuMillis(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not report its CPU time')), 5_000);
    const onMessage = (message: ServerMessage) => {
      if (message.kind !== 'cpu') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve((message.userMicros + message.systemMicros) / 1000);
    };
    child.on('message', onMessage);
    child.send({ kind: 'cpu' } satisfies ParentMessage);
  });
}

/**
 * CPU time in ms of each PostgreSQL process that works for the bench: the backends connected to its
 * database (but this stats connection), and the WAL writer, checkpointer and background writer,
 * which are shared. Other databases' backends are left out: other work on the machine must not count.
 * Read from /proc; null where that is not possible (not Linux, or PostgreSQL on another host).
 */
async function postgresCpu(stats: pg.Client): Promise<ReadonlyMap<number, number> | null> {
  const TICKS_PER_SECOND = 100; // USER_HZ: 100 on Linux (getconf CLK_TCK)
  const { rows } = await stats.query<{ pid: number }>(
    `select pid from pg_stat_activity
     where (datname = current_database() and pid <> pg_backend_pid())
        or backend_type in ('walwriter', 'checkpointer', 'background writer')`,
  );
  const millis = new Map<number, number>();
  for (const { pid } of rows) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      if (!existsSync('/proc/self/stat')) return null;
      continue; // exited meanwhile, or not on this host
    }
    // Fields after the command name "(...)" start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    millis.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
  }
  return millis.size > 0 ? millis : null;
}

async function cpuSnapshot(server: Server, stats: pg.Client): Promise<CpuSnapshot> {
  const client = process.cpuUsage();
  return { client: (client.user + client.system) / 1000, server: await serverCpuMillis(server.child), postgres: await postgresCpu(stats) };
}

/** CPU spent from `before` to `after`; a backend that appeared meanwhile counts from 0, one that ended is lost (the pool keeps them while busy). */
function postgresDelta(before: ReadonlyMap<number, number> | null, after: ReadonlyMap<number, number> | null): number | null {
  if (before === null || after === null) return null;
  let total = 0;
  for (const [pid, millis] of after) total += millis - (before.get(pid) ?? 0);
  return total;
}

function post(agent: http.Agent, server: Server, path: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path,
        headers: {
          authorization: `Bearer ${server.apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`POST ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Sends `count` requests from CLIENTS concurrent workers sharing one counter; request n goes to
 * customer n mod CUSTOMERS (round robin), so two requests on one stream are rarely in flight at once.
 * A 409 (the command runner gave up after its retries) is counted; any other non-2xx aborts the run.
 */
async function load(agent: http.Agent, server: Server, count: number, request: (n: number) => { path: string; body: string }) {
  const latencies = new Float64Array(count);
  let next = 0;
  let conflicts = 0;
  let failure: Error | undefined;
  const worker = async () => {
    while (failure === undefined) {
      const n = next++;
      if (n >= count) return;
      const { path, body } = request(n);
      const started = performance.now();
      const response = await post(agent, server, path, body);
      latencies[n] = performance.now() - started;
      if (response.status === 409) conflicts++;
      else if (response.status < 200 || response.status > 299) {
        failure ??= new Error(`POST ${path} answered ${response.status}: ${response.body}`);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, () => worker().catch((error: unknown) => void (failure ??= error instanceof Error ? error : new Error(String(error))))));
  const seconds = (performance.now() - started) / 1000;
  if (failure) throw failure;
  latencies.sort();
  return { seconds, latencies, conflicts };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(agent: http.Agent, server: Server, stats: pg.Client, route: Route, count: number, offset: number): Promise<RoundResult> {
  const before = await cpuSnapshot(server, stats);
  const { seconds, latencies, conflicts } = await load(agent, server, count, (n) => ({
    path: route.path(customerId((offset + n) % CUSTOMERS)),
    body: callBody(offset + n),
  }));
  const after = await cpuSnapshot(server, stats);
  const postgres = postgresDelta(before.postgres, after.postgres);
  return {
    requests: count,
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    conflicts,
    cpu: {
      client: (after.client - before.client) / count,
      server: (after.server - before.server) / count,
      postgres: postgres === null ? null : postgres / count,
    },
  };
}

const fixed = (value: number, digits: number, width: number) => value.toFixed(digits).padStart(width);

async function main(): Promise<void> {
  const database = await createTestDatabase('crm_bench_api');
  let server: Server | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  // Only reads pg_stat_activity, to find whose CPU time to count.
  const stats = new pg.Client({ connectionString: database.url, application_name: 'crm-bench-stats' });
  try {
    server = await startServer(database.url);
    await stats.connect();

    // Not timed: the customers the calls go to.
    await load(agent, server, CUSTOMERS, (i) => ({ path: '/customers', body: customerBody(i) }));
    let offset = 0;
    for (const route of [BASELINE, CALLS]) {
      await load(agent, server, WARMUP_REQUESTS, (n) => ({ path: route.path(customerId(n % CUSTOMERS)), body: callBody(n) }));
    }
    offset += WARMUP_REQUESTS;

    console.log(
      `HTTP api: command route vs plain-INSERT route on the same server; ${REQUESTS} requests per round, ${CLIENTS} concurrent clients, ` +
        `${CUSTOMERS} customers, ${WARMUP_REQUESTS} warm-up requests per route, ${ROUNDS} rounds alternating the routes as baseline-calls, ` +
        `calls-baseline (node ${process.version}, ${cpus().length} CPUs)`,
    );
    console.log('round  route     requests   req/s  p50 ms  p99 ms   409s  ratio   CPU ms/request: client  server  postgres');
    const results = new Map<Route, RoundResult[]>([
      [BASELINE, []],
      [CALLS, []],
    ]);
    for (let round = 1; round <= ROUNDS; round++) {
      // Every other round starts with the calls (B C, C B): a drift over the run (here the first few
      // thousand requests cost node markedly more CPU, in server and client alike) then weighs on both routes alike.
      const order = round % 2 === 1 ? [BASELINE, CALLS] : [CALLS, BASELINE];
      const measured = new Map<Route, RoundResult>();
      for (const route of order) {
        const result = await measure(agent, server, stats, route, REQUESTS, offset);
        measured.set(route, result);
        results.get(route)?.push(result);
      }
      for (const route of [BASELINE, CALLS]) {
        const result = measured.get(route);
        const baseline = measured.get(BASELINE);
        if (!result || !baseline) continue;
        const ratio = route === CALLS ? fixed(result.perSecond / baseline.perSecond, 2, 5) : '     ';
        console.log(
          `${String(round).padStart(5)}  ${route.name.padEnd(8)}  ${String(result.requests).padStart(8)}  ${fixed(result.perSecond, 0, 6)}  ` +
            `${fixed(result.p50, 1, 6)}  ${fixed(result.p99, 1, 6)}  ${String(result.conflicts).padStart(5)}  ${ratio}  ` +
            `${fixed(result.cpu.client, 2, 22)}  ${fixed(result.cpu.server, 2, 6)}  ${result.cpu.postgres === null ? '       -' : fixed(result.cpu.postgres, 2, 8)}`,
        );
      }
      offset += REQUESTS;
    }

    // Best round = highest throughput; its own p50/p99 are shown with it.
    const best = (route: Route) => (results.get(route) ?? []).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const conflictsOf = (route: Route) => (results.get(route) ?? []).reduce((sum, r) => sum + r.conflicts, 0);
    const baseline = best(BASELINE);
    const calls = best(CALLS);
    console.log('');
    console.log(`Best of ${ROUNDS} rounds per route (the round with the highest commands/s; p50/p99 from that round; 409s summed over all rounds)`);
    console.log(`${'route'.padEnd(48)}  requests  commands/s  p50 ms  p99 ms  409s  ratio (calls/baseline)`);
    for (const [route, result, ratio] of [
      [BASELINE, baseline, '1.00'],
      [CALLS, calls, (calls.perSecond / baseline.perSecond).toFixed(2)],
    ] as const) {
      console.log(
        `${route.label.padEnd(48)}  ${String(result.requests).padStart(8)}  ${fixed(result.perSecond, 0, 10)}  ${fixed(result.p50, 1, 6)}  ` +
          `${fixed(result.p99, 1, 6)}  ${String(conflictsOf(route)).padStart(4)}  ${ratio.padStart(22)}`,
      );
    }
    console.log(
      'CPU ms/request: user+system time of the load generator, of the api server process, and of the PostgreSQL backends of the ' +
        'bench database plus WAL writer, checkpointer and background writer. ratio per round: calls/baseline within that round.',
    );
  } finally {
    agent.destroy();
    await stats.end().catch(() => undefined);
    if (server) await stopServer(server.child);
    await database.drop();
  }
}

await main();
