import type { Queue } from 'bullmq';
import { customerStream } from '#customers/domain';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#providers';
import { createTestDatabase, QueuesView, RedisRelay } from '#testing';
import { WEBHOOK_QUEUE, webhookJobId, type WebhookJob } from '#webhooks';
import { Receiver, until, WebhooksHarness, type CreatedWebhook } from './support.js';

/**
 * The log, not Redis, is the source of truth: deliveries are recorded while Redis is away and sent
 * once it is back, each exactly once; jobs a Redis lost are added again; a worker stopped in the
 * middle of a request leaves nothing behind. The app reaches Redis through a relay the tests
 * close and reopen. Retries wait 3 s here, long enough to lose their jobs on purpose.
 */
const ENV = { WEBHOOK_BACKOFF_MS: '3000', WEBHOOK_MAX_BACKOFF_MS: '3000' };

describe('webhooks when Redis or the worker go away', () => {
  const relay = new RedisRelay();
  let h: WebhooksHarness;
  let store: EventStore;
  const queues = new QueuesView();
  let queue: Queue<WebhookJob>;

  beforeAll(async () => {
    await relay.open();
    h = await WebhooksHarness.start({ env: { ...ENV, REDIS_URL: relay.url } });
    store = h.api.app.get<EventStore>(EVENT_STORE);
    queue = queues.queue<WebhookJob>(WEBHOOK_QUEUE, h.api.database.url);
  });

  afterAll(async () => {
    await queues.close();
    await h?.close();
    await relay.close();
  });

  const withReceiver = async (test: (receiver: Receiver, webhook: CreatedWebhook) => Promise<void>) => {
    const receiver = await Receiver.start();
    const webhook = await h.subscribe(receiver);
    try {
      await test(receiver, webhook);
    } finally {
      await h.unsubscribe(webhook.id);
      await receiver.close();
    }
  };

  it('records deliveries while Redis is unreachable and commands keep arriving, then sends each exactly once', async () => {
    await withReceiver(async (receiver, webhook) => {
      await relay.close();
      // Commands succeed without Redis; the dispatcher records their deliveries in PostgreSQL.
      const customers = await Promise.all([h.register(), h.register(), h.register(), h.register()]);
      for (const customerId of customers) {
        await h.note(customerId);
        await h.call(customerId);
      }
      const recorded = await until('12 deliveries recorded', async () => {
        const deliveries = await h.deliveries(webhook.id);
        return deliveries.length === 12 && deliveries;
      });
      expect(new Set(recorded.map((delivery) => delivery.status))).toEqual(new Set(['queued', 'pending']));
      expect(recorded.filter((delivery) => delivery.status === 'queued')).toHaveLength(4);
      expect(receiver.requests).toEqual([]);

      await relay.open();
      const delivered = await h.settled(webhook.id, 12);
      const eventIds = (await Promise.all(customers.map((customerId) => store.readStream(customerStream(customerId))))).flat().map((event) => event.id);
      expect([...receiver.eventIds].sort()).toEqual([...eventIds].sort());
      for (const delivery of delivered) expect(delivery.attempts).toMatchObject([{ attempt: 1, statusCode: 200, outcome: 'delivered' }]);
      for (const customerId of customers) {
        const revisions = receiver.requests.filter((request) => request.event.streamId === customerStream(customerId)).map((request) => request.event.revision);
        expect(revisions).toEqual([0, 1, 2]);
      }
    });
  });

  it('adds the jobs again that a Redis restarted without its data lost', async () => {
    await withReceiver(async (receiver, webhook) => {
      receiver.answer = (_, nth) => (nth === 1 ? 500 : 200);
      await h.register();
      const waiting = await until('the first attempt failed', async () => {
        const [delivery] = await h.deliveries(webhook.id);
        return delivery?.attempts.length === 1 && delivery.status === 'queued' && delivery;
      });
      const retryJob = webhookJobId({ deliveryId: waiting.id, attempt: 2 });
      await until('the retry job in Redis', async () => (await queue.getJob(retryJob)) !== undefined);

      await relay.close();
      await queue.obliterate({ force: true });
      expect(await queue.getJob(retryJob)).toBeUndefined();
      await relay.open();

      // Well before the pump's sweep would find it overdue: Redis coming back had the pump add every queued delivery's job.
      const [delivered] = await h.settled(webhook.id, 1, 'delivered', 15_000);
      expect(delivered.attempts.map((attempt) => [attempt.attempt, attempt.statusCode, attempt.outcome])).toEqual([
        [1, 500, 'failed'],
        [2, 200, 'delivered'],
      ]);
      expect(receiver.requests).toHaveLength(2);
    });
  });

  it('completes a delivery whose worker stopped in the middle of the request, once a new one starts on the same database', async () => {
    const database = await createTestDatabase();
    const receiver = await Receiver.start();
    // The receiver holds the first request open; the worker stops while it waits for the answer.
    receiver.answer = (_, nth) => (nth === 1 ? 'hang' : 200);
    const env = { ...ENV, WEBHOOK_TIMEOUT_MS: '30000' };
    let first: WebhooksHarness | undefined = await WebhooksHarness.start({ database, env });
    let second: WebhooksHarness | undefined;
    try {
      const webhook = await first.subscribe(receiver);
      await first.register();
      await until('the first request', async () => receiver.requests.length === 1);
      await first.close();
      first = undefined;

      second = await WebhooksHarness.start({ database, env });
      const [delivered] = await second.settled(webhook.id, 1);
      // Received at least once (here twice); the abandoned attempt is on record, then the one that went through.
      expect(receiver.requests.map((request) => request.event.id)).toEqual([delivered.eventId, delivered.eventId]);
      expect(delivered.attempts).toMatchObject([
        { attempt: 1, statusCode: null, error: 'abandoned: the worker shut down while waiting for the answer', outcome: 'failed' },
        { attempt: 2, statusCode: 200, outcome: 'delivered' },
      ]);
    } finally {
      await first?.close();
      await second?.close();
      await receiver.close();
      // This database's queue is emptied with the others after the file.
      queues.queue(WEBHOOK_QUEUE, database.url);
      await database.drop();
    }
  });
});
