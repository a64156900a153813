import { createHmac } from 'node:crypto';
import net from 'node:net';
import { customerStream } from '#customers/domain';
import { comparePositions, parsePosition, serializePosition, type EventStore, type RecordedEvent } from '#event-store';
import { EVENT_STORE } from '#providers';
import { verifyWebhookSignature } from '#webhooks';
import { Receiver, until, WebhooksHarness, type CreatedWebhook } from './support.js';

/**
 * Deliveries end to end: the api takes commands and subscriptions, the worker's dispatcher, pump
 * and BullMQ jobs deliver to a receiver on this machine. Attempts are test-sized
 * (WEBHOOK_TEST_ENV): three per round, 200 ms doubling to 800 ms apart, three seconds to answer.
 */
describe('webhook deliveries (the real worker, Redis and a local receiver)', () => {
  let h: WebhooksHarness;
  let store: EventStore;

  beforeAll(async () => {
    h = await WebhooksHarness.start();
    store = h.api.app.get<EventStore>(EVENT_STORE);
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A receiver and its subscription for one test, both ended after it. */
  const withReceiver = async (body: Record<string, unknown>, test: (receiver: Receiver, webhook: CreatedWebhook) => Promise<void>) => {
    const receiver = await Receiver.start();
    const webhook = await h.subscribe(receiver, body);
    try {
      await test(receiver, webhook);
    } finally {
      await h.unsubscribe(webhook.id);
      await receiver.close();
    }
  };
  const eventsOf = (customerId: string): Promise<RecordedEvent[]> => store.readStream(customerStream(customerId));
  const subscription = async (id: string) => (await h.api.http.get(`/webhooks/${id}`).set(h.admin).expect(200)).body as Record<string, unknown>;
  /** The subscription's webhook gauges in GET /metrics (Prometheus text). */
  const metrics = async (id: string) => {
    const text = (await h.api.http.get('/metrics').set(h.admin).expect(200).expect('Content-Type', /text\/plain/)).text;
    const gauge = (name: string) => Number(new RegExp(`^crm_webhook_${name}\\{subscription="${id}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    return { unfinished: gauge('deliveries_unfinished'), dead: gauge('deliveries_dead'), disabled: gauge('subscription_disabled') };
  };

  it('POSTs the event and its id, signed with HMAC-SHA256 over the timestamp and the body', async () => {
    await withReceiver({ eventTypes: ['CustomerRegistered'] }, async (receiver, webhook) => {
      const customerId = await h.register();
      const [delivery] = await h.settled(webhook.id, 1);
      const [event] = await eventsOf(customerId);

      expect(receiver.requests).toHaveLength(1);
      const [request] = receiver.requests;
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-crm-event-id']).toBe(event.id);
      expect(request.headers['x-crm-delivery-id']).toBe(delivery.id);
      const timestamp = request.headers['x-crm-timestamp'] as string;
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      // Computed here as a receiver would, independently of the code that signed it.
      const expected = createHmac('sha256', webhook.secret).update(`${timestamp}.${request.body}`).digest('hex');
      expect(request.headers['x-crm-signature']).toBe(`v1=${expected}`);
      expect(verifyWebhookSignature(webhook.secret, { body: request.body, timestamp, signature: request.headers['x-crm-signature'] as string })).toBe(true);
      expect(verifyWebhookSignature('another-secret-of-16+', { body: request.body, timestamp, signature: request.headers['x-crm-signature'] as string })).toBe(false);

      expect(JSON.parse(request.body)).toEqual({
        id: event.id,
        type: 'CustomerRegistered',
        schemaVersion: event.schemaVersion,
        streamId: customerStream(customerId),
        revision: 0,
        position: serializePosition(event.position),
        recordedAt: event.metadata.recordedAt.toISOString(),
        correlationId: event.metadata.correlationId,
        causationId: event.metadata.causationId,
        data: expect.objectContaining({ customerId, contact: expect.objectContaining({ name: 'Ada Lovelace', email: 'ada@example.com' }) }),
      });
      expect(delivery).toMatchObject({
        eventId: event.id,
        eventType: 'CustomerRegistered',
        streamId: customerStream(customerId),
        revision: 0,
        position: serializePosition(event.position),
        status: 'delivered',
        nextAttemptAt: null,
        finishedAt: expect.any(String),
        lastStatusCode: 200,
        attempts: [{ attempt: 1, statusCode: 200, error: null, outcome: 'delivered', durationMs: expect.any(Number), at: expect.any(String) }],
      });
    });
  });

  it('retries a receiver failing twice (a 500, a redirect it does not follow) with backoff: the event arrives three times, every attempt recorded', async () => {
    await withReceiver({ eventTypes: ['CustomerRegistered'] }, async (receiver, webhook) => {
      receiver.answer = (_, nth) => [500, 302][nth - 1] ?? 200;
      const customerId = await h.register();
      const [delivery] = await h.settled(webhook.id, 1);
      const [event] = await eventsOf(customerId);

      expect(receiver.of(event.id)).toHaveLength(3);
      expect(new Set(receiver.of(event.id).map((request) => request.headers['x-crm-delivery-id']))).toEqual(new Set([delivery.id]));
      expect(delivery.attempts.map(({ attempt, statusCode, error, outcome }) => ({ attempt, statusCode, error, outcome }))).toEqual([
        { attempt: 1, statusCode: 500, error: null, outcome: 'failed' },
        { attempt: 2, statusCode: 302, error: null, outcome: 'failed' },
        { attempt: 3, statusCode: 200, error: null, outcome: 'delivered' },
      ]);
      // 200 ms, then 400 ms after each failure (WEBHOOK_BACKOFF_MS doubling).
      const [first, second, third] = delivery.attempts.map((attempt) => Date.parse(attempt.at));
      expect(second - first).toBeGreaterThanOrEqual(200);
      expect(third - second).toBeGreaterThanOrEqual(400);
    });
  });

  it('dead-letters a delivery after WEBHOOK_MAX_ATTEMPTS failures; a retry sends it again, for a fresh round', async () => {
    await withReceiver({ eventTypes: ['CustomerRegistered'] }, async (receiver, webhook) => {
      receiver.answer = () => 503;
      const customerId = await h.register();
      const [dead] = await h.settled(webhook.id, 1, 'dead');
      const [event] = await eventsOf(customerId);
      expect(dead.attempts.map((attempt) => [attempt.attempt, attempt.statusCode, attempt.outcome])).toEqual([
        [1, 503, 'failed'],
        [2, 503, 'failed'],
        [3, 503, 'failed'],
      ]);
      expect(dead).toMatchObject({ nextAttemptAt: null, finishedAt: expect.any(String), lastStatusCode: 503 });
      expect(receiver.of(event.id)).toHaveLength(3);
      expect(await h.deliveries(webhook.id, '&status=dead')).toEqual([dead]);
      expect(await metrics(webhook.id)).toEqual({ unfinished: 0, dead: 1, disabled: 0 });

      // The receiver recovers; an admin sends the dead letter again.
      receiver.answer = () => 200;
      const retried = await h.api.http.post(`/webhooks/${webhook.id}/deliveries/${dead.id}/retry`).set(h.admin).expect(202);
      expect(retried.body).toMatchObject({ id: dead.id, status: 'queued', finishedAt: null, nextAttemptAt: expect.any(String) });
      const [delivered] = await h.settled(webhook.id, 1);
      expect(delivered.attempts.map((attempt) => [attempt.attempt, attempt.statusCode, attempt.outcome])).toEqual([
        [1, 503, 'failed'],
        [2, 503, 'failed'],
        [3, 503, 'failed'],
        [4, 200, 'delivered'],
      ]);
      expect(receiver.of(event.id)).toHaveLength(4);
      expect(await metrics(webhook.id)).toEqual({ unfinished: 0, dead: 0, disabled: 0 });
    });
  });

  it('moves on past a dead delivery: the next event of the stream goes out, and the retried one after it', async () => {
    await withReceiver({ eventTypes: ['CustomerRegistered', 'NoteAdded'] }, async (receiver, webhook) => {
      let recovered = false;
      receiver.answer = (request) => (request.event.revision === 0 && !recovered ? 500 : 200);
      const customerId = await h.register();
      await h.note(customerId);
      const [dead, next] = await until('the registration dead, the note delivered', async () => {
        const deliveries = (await h.deliveries(webhook.id)).reverse();
        return deliveries.map((delivery) => delivery.status).join() === 'dead,delivered' && deliveries;
      });
      expect(next.attempts).toHaveLength(1);
      expect(Date.parse(next.attempts[0].at)).toBeGreaterThanOrEqual(Date.parse(dead.finishedAt as string));

      recovered = true;
      await h.api.http.post(`/webhooks/${webhook.id}/deliveries/${dead.id}/retry`).set(h.admin).expect(202);
      await h.settled(webhook.id, 2);
      expect(receiver.requests.map((request) => request.event.revision)).toEqual([0, 0, 0, 1, 0]);
    });
  });

  it('starts a retried round over: WEBHOOK_MAX_ATTEMPTS more attempts before it is dead again', async () => {
    await withReceiver({ eventTypes: ['CustomerRegistered'] }, async (receiver, webhook) => {
      receiver.answer = () => 500;
      await h.register();
      const [dead] = await h.settled(webhook.id, 1, 'dead');
      await h.api.http.post(`/webhooks/${webhook.id}/deliveries/${dead.id}/retry`).set(h.admin).expect(202);
      const [again] = await until('dead again', async () => {
        const deliveries = await h.deliveries(webhook.id);
        return deliveries[0].attempts.length === 6 && deliveries[0].status === 'dead' && deliveries;
      });
      expect(again.attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(receiver.requests).toHaveLength(6);
    });
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    await withReceiver({ eventTypes: ['CustomerRegistered'] }, async (receiver, webhook) => {
      receiver.answer = (_, nth) => (nth === 1 ? 'hang' : 204);
      await h.register();
      const [delivery] = await h.settled(webhook.id, 1);
      expect(delivery.attempts).toMatchObject([
        { attempt: 1, statusCode: null, error: 'no answer within 3000 ms', outcome: 'failed' },
        { attempt: 2, statusCode: 204, error: null, outcome: 'delivered' },
      ]);
      expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(3_000);
      expect(receiver.requests).toHaveLength(2);
    });
  });

  it('records why a receiver could not be reached at all', async () => {
    // A port nothing listens on.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const response = await h.api.http.post('/webhooks').set(h.admin).send({ url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['CustomerRegistered'] }).expect(201);
    const webhook = response.body as CreatedWebhook;
    try {
      await h.register();
      const [dead] = await h.settled(webhook.id, 1, 'dead');
      expect(dead.attempts).toHaveLength(3);
      for (const attempt of dead.attempts) expect(attempt).toMatchObject({ statusCode: null, error: expect.stringMatching(/ECONNREFUSED/), outcome: 'failed' });
    } finally {
      await h.unsubscribe(webhook.id);
    }
  });

  it('disables the subscription when the receiver answers 410: its other deliveries are cancelled, nothing more is sent', async () => {
    await withReceiver({ eventTypes: ['CustomerRegistered', 'NoteAdded'] }, async (receiver, webhook) => {
      // The 410 comes once the later events have their (pending) deliveries.
      let answerFirst: (status: number) => void = () => undefined;
      receiver.answer = () => new Promise<number>((resolve) => (answerFirst = resolve));
      const customerId = await h.register();
      await h.note(customerId);
      await h.dispatched(await h.note(customerId));
      expect((await h.deliveries(webhook.id)).map((delivery) => delivery.status)).toEqual(['pending', 'pending', 'queued']);
      expect(await metrics(webhook.id)).toEqual({ unfinished: 3, dead: 0, disabled: 0 });
      await until('the first request', async () => receiver.requests.length === 1);
      answerFirst(410);
      const deliveries = await h.settled(webhook.id, 3, 'cancelled');
      expect(deliveries.map((delivery) => delivery.revision)).toEqual([0, 1, 2]);
      expect(deliveries[0].attempts).toMatchObject([{ attempt: 1, statusCode: 410, outcome: 'gone' }]);
      expect(deliveries[1].attempts).toEqual([]);
      expect(deliveries[2].attempts).toEqual([]);
      expect(await subscription(webhook.id)).toMatchObject({ status: 'disabled', disabledReason: 'gone', disabledAt: expect.any(String) });
      expect(receiver.requests).toHaveLength(1);
      expect(await metrics(webhook.id)).toEqual({ unfinished: 0, dead: 0, disabled: 1 });

      // Later events are not even recorded for it.
      await h.dispatched(await h.note(customerId));
      expect(await h.deliveries(webhook.id)).toHaveLength(3);
      expect(receiver.requests).toHaveLength(1);
    });
  });

  it('delivers only the event types a subscription lists; "*" delivers every one', async () => {
    const everything = await Receiver.start();
    const all = await h.subscribe(everything, { eventTypes: ['*'] });
    try {
      await withReceiver({ eventTypes: ['NoteAdded', 'CallLogged'] }, async (receiver, webhook) => {
        const customerId = await h.register();
        await h.note(customerId);
        await h.call(customerId);
        await h.api.http.patch(`/customers/${customerId}`).set('Authorization', `Bearer ${h.api.keys.service}`).send({ tags: ['vip'] }).expect(200);

        const listed = await h.settled(webhook.id, 2);
        expect(listed.map((delivery) => delivery.eventType)).toEqual(['NoteAdded', 'CallLogged']);
        const every = await h.settled(all.id, 4);
        expect(every.map((delivery) => delivery.eventType)).toEqual(['CustomerRegistered', 'NoteAdded', 'CallLogged', 'ProfileUpdated']);
        expect(receiver.requests.map((request) => request.event.type)).toEqual(['NoteAdded', 'CallLogged']);
        expect(new Set(everything.requests.map((request) => request.event.type))).toEqual(new Set(['CustomerRegistered', 'NoteAdded', 'CallLogged', 'ProfileUpdated']));
      });
    } finally {
      await h.unsubscribe(all.id);
      await everything.close();
    }
  });

  it('does not deliver events recorded before the subscription was created', async () => {
    const customerId = await h.register();
    const [registered] = await eventsOf(customerId);
    // Once the log's readers see it, it is history to a subscription created now.
    await until('the registration at the head of the log', async () => {
      const head = await store.headPosition();
      return head !== null && comparePositions(head, registered.position) >= 0;
    });
    await withReceiver({ eventTypes: ['*'] }, async (receiver, webhook) => {
      expect(comparePositions(parsePosition((await subscription(webhook.id)).fromPosition as string), registered.position)).toBeGreaterThanOrEqual(0);
      await h.note(customerId);
      const [delivery] = await h.settled(webhook.id, 1);
      expect(delivery).toMatchObject({ eventType: 'NoteAdded', revision: 1 });
      expect(receiver.requests.map((request) => request.event.revision)).toEqual([1]);
    });
  });

  it('reads the event from the log at each attempt: once the customer is erased, retries carry no personal data', async () => {
    await withReceiver({ eventTypes: ['NoteAdded'] }, async (receiver, webhook) => {
      let answerFirst: (status: number) => void = () => undefined;
      receiver.answer = (_, nth) => (nth === 1 ? new Promise<number>((resolve) => (answerFirst = resolve)) : 200);
      const customerId = await h.register();
      await h.note(customerId, 'Allergic to peanuts');
      await until('the first attempt', async () => receiver.requests.length === 1);
      expect(receiver.requests[0].event.data.text).toBe('Allergic to peanuts');

      await h.api.http.post(`/customers/${customerId}/erase`).set(h.admin).send({ reason: 'request #7' }).expect(200);
      answerFirst(503);
      await h.settled(webhook.id, 1);
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.requests[1].event.data.text).toEqual({ $erased: true });
    });
  });
});
