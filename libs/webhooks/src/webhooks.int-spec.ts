import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type pg from 'pg';
import type { WebhookConfig } from '#config';
import { comparePositions, eventStoreMigrations, parsePosition, PostgresEventStore, type NewEvent, type RecordedEvent } from '#event-store';
import { queuePrefix } from '#providers';
import { createPool, migrate } from '#postgres';
import { applyEvents, prepareProjectionTables } from '#read-model-engine';
import { createTestDatabase, type TestDatabase } from '#testing';
import { deliveryIdFor } from './webhook.delivery.js';
import { webhookDispatcher } from './webhook.dispatcher.js';
import { WEBHOOK_QUEUE, webhookJobId, type ScheduledWebhookJob, type WebhookJob } from './webhook.jobs.js';
import { webhookDb, type WebhookDb } from './webhook.outbox.js';
import { WebhookProcessor } from './webhook.processor.js';
import { WebhookPump } from './webhook.pump.js';
import { WebhookStore } from './webhook.store.js';
import { webhooksMigrations, type WebhookTables } from './webhooks.migrations.js';

const CONFIG: WebhookConfig = { maxAttempts: 3, timeoutMs: 2_000, backoffMs: 60_000, maxBackoffMs: 60_000 };

/** The outbox's pieces against the real PostgreSQL (and Redis for the pump), without the apps. */
describe('webhook outbox', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let webhooks: WebhookStore;
  let db: WebhookDb;
  let receiver: { url: string; server: http.Server; requests: string[]; answer: () => Promise<number> | number };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 20 });
    for (const set of [eventStoreMigrations, webhooksMigrations]) await migrate(pool, set);
    store = new PostgresEventStore({ connectionString: database.url, pool });
    webhooks = new WebhookStore(pool, store);
    db = webhookDb(pool);
    await prepareProjectionTables(pool, webhookDispatcher());

    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        receiver.requests.push(Buffer.concat(chunks).toString('utf8'));
        void Promise.resolve(receiver.answer()).then((status) => response.writeHead(status).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, server, requests: [], answer: () => 200 };
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (receiver ? receiver.server.close(() => resolve()) : resolve()));
    await db?.destroy();
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  beforeEach(async () => {
    receiver.requests = [];
    receiver.answer = () => 200;
    // Each test subscribes its own: the earlier ones' subscriptions and unfinished deliveries are out of the way.
    for (const subscription of await webhooks.list()) await webhooks.disable(subscription.id);
  });

  const subscribe = (eventTypes: string[] = ['*']) => webhooks.create({ url: receiver.url, eventTypes, secret: 'a-secret-of-16-chars', description: null });
  /** Appends events to a stream; answers them as the log recorded them. */
  const append = async (streamId: string, ...types: string[]): Promise<RecordedEvent[]> => {
    const events: NewEvent[] = types.map((type) => ({
      id: randomUUID(),
      type,
      schemaVersion: 1,
      data: { note: type },
      metadata: { actor: 'test', commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID() },
    }));
    const { revision } = await store.append(streamId, events, 'any');
    return store.readStream(streamId, { fromRevision: revision - events.length + 1 });
  };
  /** Applies a dispatcher batch as the projection runner does: in a transaction, bound to the dispatcher's own schema. */
  const dispatch = (events: readonly RecordedEvent[]) => db.transaction().execute((trx) => applyEvents<WebhookTables, WebhookTables>(trx, webhookDispatcher(), events));
  const lane = (subscriptionId: string, streamId: string) =>
    db
      .selectFrom('webhooks.deliveries')
      .select(['stream_revision', 'status', 'attempts'])
      .where('subscription_id', '=', subscriptionId)
      .where('stream_id', '=', streamId)
      .orderBy('stream_revision')
      .execute();
  const statuses = async (subscriptionId: string, streamId: string) => (await lane(subscriptionId, streamId)).map((row) => `${row.stream_revision}:${row.status}`);
  const finish = (subscriptionId: string, streamId: string, revision: number) =>
    db
      .updateTable('webhooks.deliveries')
      .set({ status: 'delivered' })
      .where('subscription_id', '=', subscriptionId)
      .where('stream_id', '=', streamId)
      .where('stream_revision', '=', revision)
      .execute();

  describe('the dispatcher', () => {
    it("writes the webhooks tables through its schema-bound db: one delivery per wanted event and subscription, each lane's first queued", async () => {
      const all = await subscribe(['*']);
      const notes = await subscribe(['NoteAdded']);
      const [a, b] = [`customer-${randomUUID()}`, `customer-${randomUUID()}`];
      const events = [...(await append(a, 'CustomerRegistered', 'NoteAdded', 'NoteAdded')), ...(await append(b, 'NoteAdded'))];
      await dispatch(events);

      expect(await statuses(all.id, a)).toEqual(['0:queued', '1:pending', '2:pending']);
      expect(await statuses(all.id, b)).toEqual(['0:queued']);
      expect(await statuses(notes.id, a)).toEqual(['1:queued', '2:pending']);
      expect(await statuses(notes.id, b)).toEqual(['0:queued']);
      const ids = await db.selectFrom('webhooks.deliveries').select('id').where('event_id', '=', events[1].id).orderBy('id').execute();
      expect(ids.map((row) => row.id)).toEqual([deliveryIdFor(all.id, events[1].id), deliveryIdFor(notes.id, events[1].id)].sort());
    });

    it('adds nothing when a batch is applied again, whole or cut otherwise', async () => {
      const subscription = await subscribe();
      const stream = `customer-${randomUUID()}`;
      const events = await append(stream, 'CustomerRegistered', 'NoteAdded', 'NoteAdded');
      await dispatch(events);
      const before = await lane(subscription.id, stream);
      await dispatch(events);
      for (const event of events) await dispatch([event]);
      expect(await lane(subscription.id, stream)).toEqual(before);
    });

    it("holds a new delivery pending behind its lane's unfinished one from an earlier batch, and queues it in an idle lane", async () => {
      const subscription = await subscribe();
      const stream = `customer-${randomUUID()}`;
      await dispatch(await append(stream, 'CustomerRegistered'));
      await dispatch(await append(stream, 'NoteAdded'));
      expect(await statuses(subscription.id, stream)).toEqual(['0:queued', '1:pending']);
      await finish(subscription.id, stream, 0);
      await finish(subscription.id, stream, 1);
      await dispatch(await append(stream, 'NoteAdded'));
      expect(await statuses(subscription.id, stream)).toEqual(['0:delivered', '1:delivered', '2:queued']);
    });

    it("delivers nothing up to a subscription's from_position, and nothing to a disabled subscription", async () => {
      const stream = `customer-${randomUUID()}`;
      const old = await append(stream, 'CustomerRegistered');
      // The head is what the log's readers see: an open transaction anywhere on the server holds it back a moment.
      for (let head = await store.headPosition(); head === null || comparePositions(head, old[0].position) < 0; head = await store.headPosition()) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const subscription = await subscribe();
      const disabled = await subscribe();
      await webhooks.disable(disabled.id);
      const recent = await append(stream, 'NoteAdded');
      await dispatch([...old, ...recent]);
      expect(await statuses(subscription.id, stream)).toEqual(['1:queued']);
      expect(await statuses(disabled.id, stream)).toEqual([]);
    });

    it('creates a subscription only between dispatcher batches, from the head of the log it read then', async () => {
      const events = await append(`customer-${randomUUID()}`, 'CustomerRegistered');
      const waitingForLock = async () =>
        (await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`.execute(db)).rows[0].n;
      let creating: ReturnType<typeof subscribe> | undefined;
      await db.transaction().execute(async (trx) => {
        await applyEvents<WebhookTables, WebhookTables>(trx, webhookDispatcher(), events);
        creating = subscribe();
        while ((await waitingForLock()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      });
      const created = await (creating as ReturnType<typeof subscribe>);
      expect(comparePositions(parsePosition(created.fromPosition), events[0].position)).toBeGreaterThanOrEqual(0);
    });
  });

  describe('the processor', () => {
    const enqueued: ScheduledWebhookJob[] = [];
    let processor: WebhookProcessor;

    beforeAll(() => {
      processor = new WebhookProcessor(pool, store, CONFIG, async (jobs) => void enqueued.push(...jobs));
    });
    afterAll(async () => {
      await processor?.close();
    });
    beforeEach(() => {
      enqueued.length = 0;
    });

    /** A subscription with one queued delivery (and the lane's later ones pending): its job. */
    const queuedDelivery = async (...types: string[]) => {
      const subscription = await subscribe();
      const stream = `customer-${randomUUID()}`;
      const events = await append(stream, ...(types.length > 0 ? types : ['CustomerRegistered']));
      await dispatch(events);
      return { subscription, stream, events, job: { deliveryId: deliveryIdFor(subscription.id, events[0].id), attempt: 1 } };
    };
    const attemptsOf = (deliveryId: string) => db.selectFrom('webhooks.delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();

    it('sends twice but records once when the same job runs twice at once (at least once, recorded exactly once)', async () => {
      const { subscription, stream, job } = await queuedDelivery('CustomerRegistered', 'NoteAdded');
      const outcomes = await Promise.all([processor.process(job), processor.process(job)]);
      expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['delivered', 'stale']);
      expect(receiver.requests).toHaveLength(2);
      expect(await attemptsOf(job.deliveryId)).toHaveLength(1);
      expect(await statuses(subscription.id, stream)).toEqual(['0:delivered', '1:queued']);
      // The lane's next head, to be added to the queue at once.
      expect(enqueued).toEqual([{ job: { deliveryId: expect.any(String), attempt: 1 }, delayMs: 0 }]);
    });

    it('sends nothing for a job whose delivery has moved past its attempt', async () => {
      const { job } = await queuedDelivery();
      receiver.answer = () => 500;
      expect(await processor.process(job)).toMatchObject({ outcome: 'failed', result: { statusCode: 500 } });
      expect(enqueued).toEqual([{ job: { ...job, attempt: 2 }, delayMs: 60_000 }]);
      expect(await processor.process(job)).toEqual({ outcome: 'stale' });
      expect(await processor.process({ ...job, attempt: 3 })).toEqual({ outcome: 'stale' });
      expect(receiver.requests).toHaveLength(1);
    });

    it('records an attempt that was under way when the subscription was disabled, and leaves the delivery cancelled', async () => {
      const { subscription, stream, job } = await queuedDelivery();
      let answer: (status: number) => void = () => undefined;
      receiver.answer = () => new Promise<number>((resolve) => (answer = resolve));
      const processing = processor.process(job);
      while (receiver.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await webhooks.disable(subscription.id);
      answer(200);
      expect(await processing).toMatchObject({ outcome: 'delivered' });
      expect(await lane(subscription.id, stream)).toEqual([{ stream_revision: 0, status: 'cancelled', attempts: 1 }]);
      expect(await attemptsOf(job.deliveryId)).toMatchObject([{ attempt: 1, status_code: 200, outcome: 'delivered' }]);
      expect(enqueued).toEqual([]);
    });

    it('never leaves a lane without a head when an attempt finishes while a batch adds to the lane', async () => {
      for (let round = 0; round < 15; round++) {
        const { subscription, stream, job } = await queuedDelivery();
        const next = await append(stream, 'NoteAdded');
        // The batch commits before, during or after the attempt's transaction, depending on the round.
        const batch = new Promise((resolve) => setTimeout(resolve, round * 2)).then(() => dispatch(next));
        await Promise.all([processor.process(job), batch]);
        expect(await statuses(subscription.id, stream)).toEqual(['0:delivered', '1:queued']);
      }
    });
  });

  describe('the pump', () => {
    let redis: Redis;
    let queue: Queue<WebhookJob>;
    let pump: WebhookPump;

    beforeAll(async () => {
      redis = new Redis({ maxRetriesPerRequest: null });
      queue = new Queue<WebhookJob>(WEBHOOK_QUEUE, { connection: redis, prefix: queuePrefix(database.url) });
      pump = new WebhookPump(pool, database.url, queue, () => true, { pageSize: 2 });
    });
    afterAll(async () => {
      await queue?.obliterate({ force: true }).catch(() => undefined);
      await queue?.close();
      await pump?.stop();
      await redis?.quit();
    });

    const queuedJobs = async () => (await queue.getJobs(['delayed', 'waiting'])).map((job) => job.id).sort();

    it('adds the jobs of deliveries queued without one, page by page, once; everything queued when asked to', async () => {
      const subscription = await subscribe();
      const streams = Array.from({ length: 5 }, () => `customer-${randomUUID()}`);
      const events = (await Promise.all(streams.map((stream) => append(stream, 'CustomerRegistered', 'NoteAdded')))).flat();
      await dispatch(events);
      const heads = events.filter((event) => event.revision === 0).map((event) => webhookJobId({ deliveryId: deliveryIdFor(subscription.id, event.id), attempt: 1 }));

      expect(await pump.pump('fresh')).toBe(5);
      expect(await queuedJobs()).toEqual(heads.sort());
      expect(await pump.pump('fresh')).toBe(0);
      // A Redis that lost everything: all five again, still one job per id.
      await queue.obliterate({ force: true });
      expect(await pump.pump('all')).toBe(5);
      expect(await pump.pump('all')).toBe(5);
      expect(await queuedJobs()).toEqual(heads.sort());
      expect(await queue.getJob(heads[0])).toMatchObject({ data: { attempt: 1 }, opts: { attempts: 5 } });
    });

    it('gives an overdue delivery its job again on a sweep (a job lost after it was added)', async () => {
      const subscription = await subscribe();
      const [event] = await append(`customer-${randomUUID()}`, 'CustomerRegistered');
      await dispatch([event]);
      const deliveryId = deliveryIdFor(subscription.id, event.id);
      await pump.pump('fresh');
      await queue.obliterate({ force: true });
      expect(await pump.pump('fresh')).toBe(0);
      expect(await pump.pump('overdue')).toBe(0);
      await db.updateTable('webhooks.deliveries').set({ next_attempt_at: sql<Date>`now() - interval '1 hour'` }).where('id', '=', deliveryId).execute();
      expect(await pump.pump('overdue')).toBe(1);
      expect(await queuedJobs()).toEqual([webhookJobId({ deliveryId, attempt: 1 })]);
    });

    it('wakes on the NOTIFY of a commit that queued deliveries', async () => {
      await queue.obliterate({ force: true });
      pump.start();
      const subscription = await subscribe();
      const [event] = await append(`customer-${randomUUID()}`, 'CustomerRegistered');
      await dispatch([event]);
      const id = webhookJobId({ deliveryId: deliveryIdFor(subscription.id, event.id), attempt: 1 });
      const deadline = Date.now() + 10_000;
      while (!(await queuedJobs()).includes(id)) {
        if (Date.now() > deadline) throw new Error('the pump did not add the job');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
  });

});
