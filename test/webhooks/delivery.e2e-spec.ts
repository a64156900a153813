import { createHmac } from 'node:crypto';
import { customerStream } from '#domain';
import { serializePosition, type EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { verifyWebhookSignature } from '#webhooks';
import { Receiver, WebhooksHarness } from './support.js';

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

  it('POSTs the event and its id, signed with HMAC-SHA256 over the timestamp and the body', async () => {
    const receiver = await Receiver.start();
    try {
      const webhook = await h.subscribe(receiver, { eventTypes: ['CustomerRegistered'] });
      const customerId = await h.register();
      const [delivery] = await h.settled(webhook.id, 1);
      const [event] = await store.readStream(customerStream(customerId));

      expect(receiver.requests).toHaveLength(1);
      const [request] = receiver.requests;
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-crm-event-id']).toBe(event.id);
      expect(request.headers['x-crm-delivery-id']).toBe(delivery.id);
      const timestamp = request.headers['x-crm-timestamp'] as string;
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      const expected = createHmac('sha256', webhook.secret).update(`${timestamp}.${request.body}`).digest('hex');
      expect(request.headers['x-crm-signature']).toBe(`v1=${expected}`);
      expect(verifyWebhookSignature(webhook.secret, { body: request.body, timestamp, signature: request.headers['x-crm-signature'] as string })).toBe(true);

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
        data: expect.objectContaining({ customerId, contact: expect.objectContaining({ name: 'Ada Lovelace' }) }),
      });
      expect(delivery).toMatchObject({ eventId: event.id, eventType: 'CustomerRegistered', revision: 0, status: 'delivered', attempts: [{ attempt: 1, statusCode: 200, error: null, outcome: 'delivered' }] });
    } finally {
      await receiver.close();
    }
  });
});
