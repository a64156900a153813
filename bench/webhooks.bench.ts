/**
 * Outbound webhooks through the real worker (dispatcher, pump, BullMQ attempts on the local Redis),
 * on a fresh database (dropped at the end), to a receiver on this machine that answers 204:
 *   1. baseline: the same events' bodies, signed, POSTed straight to the receiver by a loop with the
 *      worker's concurrency (8): what sending alone costs, in the same run;
 *   2. throughput: BENCH_EVENTS notes over BENCH_CUSTOMERS customers appended at once (many per
 *      append), first append -> every event received once; deliveries/s and its ratio to the baseline;
 *   3. live latency: one note at a time at BENCH_LIVE_RATE events/s for BENCH_LIVE_SECONDS, append
 *      committed -> received, p50/p99.
 *
 *   npm run bench:webhooks   (BENCH_EVENTS default 20000, BENCH_CUSTOMERS default 1000,
 *                             BENCH_LIVE_RATE default 100, BENCH_LIVE_SECONDS default 15)
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type pg from 'pg';
import { loadConfig } from '#config';
import { toNewEvents } from '#commands';
import { customerDecider, customerStream, decideCustomer, initialCustomerState, type CustomerEvent, type CustomerState } from '#customers/domain';
import { fold } from '#domain';
import { schemaVersionOf } from '#event-catalog';
import type { EventStore, NewEvent } from '#event-store';
import { prepareDatabase, RuntimeModule } from '#runtime';
import { EVENT_STORE, PG_POOL } from '#providers';
import { createTestDatabase, TEST_MASTER_KEY } from '#testing';
import { generateSecret, sendWebhook, signWebhook, webhookBody, WebhookStore, WEBHOOK_HEADERS } from '#webhooks';
import { WorkerModule } from '../apps/worker/src/worker.module.js';
import { fmt, LATENCY_WIDTHS, percentile, positiveInteger, row, sleep } from './support/harness.js';

const EVENTS = positiveInteger('BENCH_EVENTS', 20_000);
const CUSTOMERS = positiveInteger('BENCH_CUSTOMERS', 1_000);
const LIVE_RATE = positiveInteger('BENCH_LIVE_RATE', 100);
const LIVE_SECONDS = positiveInteger('BENCH_LIVE_SECONDS', 15);
/** The worker's BullMQ concurrency for webhook attempts (apps/worker/src/webhooks.service.ts). */
const CONCURRENCY = 8;
const EVENTS_PER_APPEND = 50;
const TIMEOUT_MS = 30 * 60_000;

/** Answers 204 at once; notes when each event id first arrived and how often it did. */
class Receiver {
  readonly firstSeen = new Map<string, number>();
  requests = 0;
  private readonly sockets = new Set<net.Socket>();
  private waiting: { count: number; resolve: () => void } | null = null;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    const server = http.createServer({ keepAliveTimeout: 60_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hooks`);
    server.on('connection', (socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (request, response) => {
      request.resume();
      request.on('end', () => {
        receiver.receive(String(request.headers[WEBHOOK_HEADERS.eventId.toLowerCase()]));
        response.writeHead(204).end();
      });
    });
    return receiver;
  }

  /** Resolves once `count` distinct events arrived. */
  until(count: number): Promise<void> {
    if (this.firstSeen.size >= count) return Promise.resolve();
    return new Promise((resolve) => (this.waiting = { count, resolve }));
  }

  reset(): void {
    this.firstSeen.clear();
    this.requests = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(eventId: string): void {
    this.requests += 1;
    if (!this.firstSeen.has(eventId)) this.firstSeen.set(eventId, performance.now());
    if (this.waiting !== null && this.firstSeen.size >= this.waiting.count) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve();
    }
  }
}

@Module({})
class BenchWorkerModule {}

async function main(): Promise<void> {
  const database = await createTestDatabase('crm_bench');
  const config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY, LOG_LEVEL: 'warn' });
  await prepareDatabase(config);
  const worker = await NestFactory.createApplicationContext(
    { module: BenchWorkerModule, imports: [RuntimeModule.forRoot(config), WorkerModule] },
    { logger: ['error', 'warn'] },
  );
  const receiver = await Receiver.start();
  try {
    const store = worker.get<EventStore>(EVENT_STORE);
    const pool = worker.get<pg.Pool>(PG_POOL);
    console.log(`webhooks: ${fmt(EVENTS)} events over ${fmt(CUSTOMERS)} customers, worker concurrency ${CONCURRENCY}, node ${process.version}`);

    const customers: CustomerState[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const customerId = randomUUID();
      const events = decideCustomer({ type: 'RegisterCustomer', customerId, source: 'api', contact: { name: 'Bench Customer' }, registeredAt: new Date().toISOString() }, initialCustomerState);
      await store.append(customerStream(customerId), asAppended(events), 'no_stream');
      customers.push(fold(customerDecider, events));
    }
    const secret = generateSecret();
    await new WebhookStore(pool, store).create({ url: receiver.url, eventTypes: ['NoteAdded'], secret, description: 'bench' });

    // Throughput: the whole batch appended at once, then drained.
    const started = performance.now();
    for (let i = 0; i < EVENTS; i += EVENTS_PER_APPEND) {
      const customer = customers[(i / EVENTS_PER_APPEND) % CUSTOMERS];
      const count = Math.min(EVENTS_PER_APPEND, EVENTS - i);
      await store.append(customerStream(customer.customerId as string), Array.from({ length: count }, () => note(customer)).flat(), 'any');
    }
    const appended = performance.now();
    await withTimeout(receiver.until(EVENTS), 'the deliveries');
    const drained = performance.now();
    const webhookRate = EVENTS / ((drained - started) / 1000);
    const doubled = receiver.requests - receiver.firstSeen.size;

    // Baseline: the same bodies, signed and sent straight to the receiver.
    const bodies: string[] = [];
    for (const customer of customers) {
      for (const event of await store.readStream(customerStream(customer.customerId as string))) if (event.type === 'NoteAdded') bodies.push(JSON.stringify(webhookBody(event)));
    }
    receiver.reset();
    const stopping = new AbortController();
    const baselineStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const eventId = (JSON.parse(body) as { id: string }).id;
          const timestamp = Math.floor(Date.now() / 1000);
          const headers = { 'Content-Type': 'application/json', [WEBHOOK_HEADERS.eventId]: eventId, [WEBHOOK_HEADERS.timestamp]: String(timestamp), [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, body) };
          await sendWebhook({ url: receiver.url, headers, body }, 10_000, stopping.signal);
        }
      }),
    );
    const baselineRate = bodies.length / ((performance.now() - baselineStarted) / 1000);

    // Live: one note at a time at a steady rate, append committed -> received.
    receiver.reset();
    const committedAt = new Map<string, number>();
    const total = LIVE_RATE * LIVE_SECONDS;
    const liveStart = performance.now();
    for (let i = 0; i < total; i++) {
      const due = liveStart + (i * 1000) / LIVE_RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const customer = customers[i % CUSTOMERS];
      const events = note(customer);
      await store.append(customerStream(customer.customerId as string), events, 'any');
      committedAt.set(events[0].id, performance.now());
    }
    await withTimeout(receiver.until(total), 'the live deliveries');
    const lags = [...committedAt].map(([id, at]) => (receiver.firstSeen.get(id) as number) - at);

    console.log();
    console.log(row(['', 'events/s', 'ratio', ''], LATENCY_WIDTHS));
    console.log(row(['baseline: signed POSTs straight to the receiver', fmt(baselineRate), '1.000', ''], LATENCY_WIDTHS));
    console.log(row(['webhooks: append -> dispatcher -> pump -> BullMQ attempt', fmt(webhookRate), fmt(webhookRate / baselineRate, 3), ''], LATENCY_WIDTHS));
    console.log(`  appending took ${fmt(appended - started)} ms; requests beyond one per event: ${doubled}`);
    console.log();
    console.log(row([`live at ${LIVE_RATE}/s for ${LIVE_SECONDS} s: append -> received (ms)`, 'p50', 'p99', 'max'], LATENCY_WIDTHS));
    console.log(row(['', fmt(percentile(lags, 50), 1), fmt(percentile(lags, 99), 1), fmt(Math.max(...lags), 1)], LATENCY_WIDTHS));
  } finally {
    await receiver.close();
    await worker.close();
    await database.drop();
  }
}

/** Decided events as the command side appends them (the app's store encrypts the personal fields). */
function asAppended(events: readonly CustomerEvent[]): NewEvent[] {
  const commandId = randomUUID();
  return toNewEvents(events, { actor: 'service:bench', commandId, correlationId: commandId, causationId: commandId }, schemaVersionOf);
}

/** A note on a registered customer (`state`: their registration folded; a note depends on nothing else). */
function note(state: CustomerState): NewEvent[] {
  return asAppended(decideCustomer({ type: 'AddNote', customerId: state.customerId as string, noteId: randomUUID(), text: 'Called back about the renewal.', addedAt: new Date().toISOString() }, state));
}

async function withTimeout(promise: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}

await main();
