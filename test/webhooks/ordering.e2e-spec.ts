import { randomUUID } from 'node:crypto';
import { customerStream } from '#customers/domain';
import type { EventStore } from '#event-store';
import { requestRebuild } from '#read-model-engine';
import { EVENT_STORE } from '#providers';
import { WEBHOOK_DISPATCHER, webhookDispatcher } from '#webhooks';
import { Receiver, until, WebhooksHarness, type CreatedWebhook } from './support.js';

/**
 * Order and exactly-once recording: a customer's events reach a receiver in revision order even
 * while one of them is retried, without holding up other customers; a rebuild of the dispatcher
 * from the start of the log delivers nothing again. Rounds are long here (50 attempts, 100 ms
 * doubling to 400 ms), so a held-back receiver does not dead-letter anything.
 */
describe('webhook delivery order', () => {
  let h: WebhooksHarness;
  let store: EventStore;
  let receiver: Receiver;
  let webhook: CreatedWebhook;

  beforeAll(async () => {
    h = await WebhooksHarness.start({ env: { WEBHOOK_MAX_ATTEMPTS: '50', WEBHOOK_BACKOFF_MS: '100', WEBHOOK_MAX_BACKOFF_MS: '400' } });
    store = h.api.app.get<EventStore>(EVENT_STORE);
    receiver = await Receiver.start();
    webhook = await h.subscribe(receiver, { eventTypes: ['CustomerRegistered', 'NoteAdded'] });
  });

  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  const revisionsOf = (streamId: string) => receiver.requests.filter((request) => request.event.streamId === streamId).map((request) => request.event.revision);

  it("delivers a customer's events in revision order while the first is retried, and other customers' events meanwhile", async () => {
    const [slow, fast] = [`cust-${randomUUID()}`, `cust-${randomUUID()}`];
    const slowStream = customerStream(slow);
    // The slow customer's registration fails until the other customer's events have all arrived.
    receiver.answer = (request) => (request.event.streamId === slowStream && request.event.revision === 0 && revisionsOf(customerStream(fast)).length < 3 ? 500 : 200);
    await h.register(slow);
    await h.note(slow, 'first');
    await h.note(slow, 'second');
    await h.register(fast);
    await h.note(fast);
    await h.note(fast);

    await h.settled(webhook.id, 6);
    const slowRevisions = revisionsOf(slowStream);
    expect(slowRevisions.length).toBeGreaterThan(3);
    // Every attempt of revision 0 before the first of revision 1, and each revision once delivered.
    expect(slowRevisions).toEqual([...slowRevisions.slice(0, -2).map(() => 0), 1, 2]);
    expect(revisionsOf(customerStream(fast))).toEqual([0, 1, 2]);
    // The other customer was not held up: all its events arrived while the first one was still failing.
    const lastFailure = receiver.requests.map((request) => request.event.streamId === slowStream && request.event.revision === 0).lastIndexOf(true);
    const fastDone = receiver.requests.map((request) => request.event.streamId === customerStream(fast)).lastIndexOf(true);
    expect(fastDone).toBeLessThan(lastFailure);

    const [registered, first, second] = await store.readStream(slowStream);
    const deliveries = (await h.deliveries(webhook.id)).filter((delivery) => delivery.streamId === slowStream).reverse();
    expect(deliveries.map((delivery) => [delivery.eventId, delivery.revision, delivery.status])).toEqual([
      [registered.id, 0, 'delivered'],
      [first.id, 1, 'delivered'],
      [second.id, 2, 'delivered'],
    ]);
    expect(deliveries[0].attempts.at(-1)).toMatchObject({ statusCode: 200, outcome: 'delivered' });
    expect(deliveries[0].attempts.slice(0, -1).every((attempt) => attempt.statusCode === 500)).toBe(true);
    expect(deliveries[1].attempts).toHaveLength(1);
  });

  it('lists deliveries newest first in keyset pages, and filters them by status', async () => {
    const all = await h.deliveries(webhook.id);
    const pages: string[] = [];
    for (let cursor: string | null = null; ; ) {
      const response = await h.api.http
        .get(`/webhooks/${webhook.id}/deliveries?limit=4${cursor === null ? '' : `&cursor=${cursor}`}`)
        .set(h.admin)
        .expect(200);
      const body = response.body as { items: { id: string }[]; nextCursor: string | null };
      pages.push(...body.items.map((item) => item.id));
      if (body.nextCursor === null) break;
      cursor = body.nextCursor;
    }
    expect(pages).toEqual(all.map((delivery) => delivery.id));
    expect(all.map((delivery) => delivery.eventType).reverse()).toEqual(['CustomerRegistered', 'NoteAdded', 'NoteAdded', 'CustomerRegistered', 'NoteAdded', 'NoteAdded']);
    expect(await h.deliveries(webhook.id, '&status=pending')).toEqual([]);
    expect(await h.deliveries(webhook.id, '&status=delivered')).toEqual(all);
  });

  it('delivers nothing again when the dispatcher is rebuilt from the start of the log', async () => {
    const before = await h.deliveries(webhook.id);
    const received = receiver.requests.length;
    const { id } = await requestRebuild(h.db, webhookDispatcher());
    expect(id).toEqual({ version: 1, build: 1 });
    await until(
      'the rebuilt dispatcher serving',
      async () => {
        const row = await h.db.selectFrom('projections.active_versions').select('build').where('name', '=', WEBHOOK_DISPATCHER).executeTakeFirst();
        return row?.build === 1;
      },
      60_000,
    );
    // The rebuild replayed the whole log; a new event then goes through it, behind everything replayed.
    const customerId = await h.register();
    await h.settled(webhook.id, before.length + 1);
    expect(receiver.requests.slice(received).map((request) => request.event.streamId)).toEqual([customerStream(customerId)]);
    const after = await h.deliveries(webhook.id);
    expect(after.slice(1)).toEqual(before);
  });
});
