import { randomUUID } from 'node:crypto';
import { PROBLEM_TYPES } from '#http';
import { encodeCursor } from '#read-model-engine';
import { expectProblem, PROBLEM_JSON } from '#testing';
import { Receiver, WebhooksHarness, type CreatedWebhook, type DeliveryJson } from './support.js';

/** The admin routes of webhooks: who may call them, what they accept, what they answer for ids they do not know. */
describe('webhook subscriptions (admin routes)', () => {
  let h: WebhooksHarness;
  let receiver: Receiver;
  /** A subscription with one delivered delivery, and one with a dead one. */
  let delivered: { webhook: CreatedWebhook; delivery: DeliveryJson };
  let dead: { webhook: CreatedWebhook; delivery: DeliveryJson };

  beforeAll(async () => {
    h = await WebhooksHarness.start();
    receiver = await Receiver.start();
    // Only the second subscription gets notes: they always fail.
    receiver.answer = (request) => (request.event.type === 'NoteAdded' ? 500 : 200);
    const ok = await h.subscribe(receiver, { eventTypes: ['CustomerRegistered'], description: 'ERP' });
    const failing = await h.subscribe(receiver, { eventTypes: ['NoteAdded'] });
    const customerId = await h.register();
    await h.note(customerId);
    delivered = { webhook: ok, delivery: (await h.settled(ok.id, 1))[0] };
    dead = { webhook: failing, delivery: (await h.settled(failing.id, 1, 'dead'))[0] };
  });

  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  const admin = () => h.admin;
  const list = async () => (await h.api.http.get('/webhooks').set(admin()).expect(200)).body as Record<string, unknown>[];
  const create = (body: unknown) => h.api.http.post('/webhooks').set(admin()).send(body as object);

  type Method = 'get' | 'post' | 'delete';
  const send = (method: Method, path: string) => h.api.http[method](path);
  const routes = (): [Method, string][] => [
    ['post', '/webhooks'],
    ['get', '/webhooks'],
    ['get', `/webhooks/${delivered.webhook.id}`],
    ['delete', `/webhooks/${delivered.webhook.id}`],
    ['get', `/webhooks/${delivered.webhook.id}/deliveries`],
    ['get', `/webhooks/${delivered.webhook.id}/deliveries/${delivered.delivery.id}`],
    ['post', `/webhooks/${dead.webhook.id}/deliveries/${dead.delivery.id}/retry`],
  ];

  it('admits admin keys only: 401 without a key, 403 for the other roles, and changes nothing on refusal', async () => {
    const before = await list();
    const body = { url: receiver.url, eventTypes: ['*'] };
    for (const [method, path] of routes()) {
      expectProblem(await send(method, path).send(body), { status: 401 });
      for (const role of ['service', 'analyst', 'auditor'] as const) {
        expectProblem(await send(method, path).set('Authorization', `Bearer ${h.api.keys[role]}`).send(body), { status: 403 });
      }
    }
    expect(await list()).toEqual(before);
    expect((await h.deliveries(dead.webhook.id))[0]).toMatchObject({ status: 'dead' });
  });

  it('creates a subscription: 201 with its secret (generated when absent), shown that once', async () => {
    const response = await create({ url: 'https://erp.example.com/crm-events', eventTypes: ['CustomerRegistered', 'PurchaseRecorded'], description: '  ERP  ' }).expect(201);
    const created = response.body as Record<string, unknown>;
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: 'https://erp.example.com/crm-events',
      eventTypes: ['CustomerRegistered', 'PurchaseRecorded'],
      description: 'ERP',
      status: 'active',
      disabledReason: null,
      disabledAt: null,
      fromPosition: expect.stringMatching(/^\d+-\d+$/),
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    const { secret, ...shown } = created;
    expect(secret).toBeDefined();
    expect((await h.api.http.get(`/webhooks/${String(created.id)}`).set(admin()).expect(200)).body).toEqual(shown);
    expect(await list()).toContainEqual(shown);
    for (const listed of await list()) expect(listed).not.toHaveProperty('secret');

    const own = await create({ url: 'http://localhost:8080/hooks', eventTypes: ['*'], secret: 's'.repeat(16) }).expect(201);
    expect(own.body).toMatchObject({ secret: 's'.repeat(16), eventTypes: ['*'], description: null });
    await h.unsubscribe(String(created.id));
    await h.unsubscribe(String(own.body.id));
  });

  it.each([
    ['no url', { eventTypes: ['*'] }, 'url'],
    ['an ftp url', { url: 'ftp://files.example.com/x', eventTypes: ['*'] }, 'url'],
    ['not a url', { url: 'not a url', eventTypes: ['*'] }, 'url'],
    ['a url over 2048 characters', { url: `https://example.com/${'a'.repeat(2040)}`, eventTypes: ['*'] }, 'url'],
    ['no event types', { url: 'https://example.com' }, 'eventTypes'],
    ['an empty list of event types', { url: 'https://example.com', eventTypes: [] }, 'eventTypes'],
    ['event types not a list', { url: 'https://example.com', eventTypes: 'CustomerRegistered' }, 'eventTypes'],
    ['an event type not a string', { url: 'https://example.com', eventTypes: [7] }, 'eventTypes'],
    ['an unknown event type', { url: 'https://example.com', eventTypes: ['CustomerRegistered', 'CustomerRegistred'] }, 'eventTypes.1'],
    ['a repeated event type', { url: 'https://example.com', eventTypes: ['NoteAdded', 'CallLogged', 'NoteAdded'] }, 'eventTypes.2'],
    ['"*" beside a type', { url: 'https://example.com', eventTypes: ['*', 'NoteAdded'] }, 'eventTypes'],
    ['an internal event type', { url: 'https://example.com', eventTypes: ['EmailClaimed'] }, 'eventTypes.0'],
    ['a short secret', { url: 'https://example.com', eventTypes: ['*'], secret: 'too-short' }, 'secret'],
    ['a long secret', { url: 'https://example.com', eventTypes: ['*'], secret: 'x'.repeat(257) }, 'secret'],
    ['a secret not a string', { url: 'https://example.com', eventTypes: ['*'], secret: 1234567890123456 }, 'secret'],
    ['a long description', { url: 'https://example.com', eventTypes: ['*'], description: 'd'.repeat(501) }, 'description'],
    ['an unknown field', { url: 'https://example.com', eventTypes: ['*'], colour: 'red' }, 'colour'],
    ['a body that is not an object', ['https://example.com'], 'body'],
  ])('refuses %s: 400 naming the field, and creates nothing', async (_, body, field) => {
    const before = await list();
    const response = await create(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect((response.body as { type: string }).type).toBe(PROBLEM_TYPES.validationFailed);
    expect((response.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toContain(field);
    expect(await list()).toEqual(before);
  });

  it('answers 404 for a subscription or delivery it does not know, malformed ids and deliveries of another subscription included', async () => {
    const unknown = randomUUID();
    const paths: [Method, string][] = [
      ['get', `/webhooks/${unknown}`],
      ['get', '/webhooks/not-a-uuid'],
      ['delete', `/webhooks/${unknown}`],
      ['delete', '/webhooks/42'],
      ['get', `/webhooks/${unknown}/deliveries`],
      ['get', '/webhooks/x/deliveries'],
      ['get', `/webhooks/${delivered.webhook.id}/deliveries/${unknown}`],
      ['get', `/webhooks/${delivered.webhook.id}/deliveries/not-a-uuid`],
      ['get', `/webhooks/${delivered.webhook.id}/deliveries/${dead.delivery.id}`],
      ['get', `/webhooks/${unknown}/deliveries/${delivered.delivery.id}`],
      ['post', `/webhooks/${delivered.webhook.id}/deliveries/${unknown}/retry`],
      ['post', `/webhooks/${delivered.webhook.id}/deliveries/${dead.delivery.id}/retry`],
      ['post', `/webhooks/${unknown}/deliveries/${dead.delivery.id}/retry`],
      ['post', '/webhooks/x/deliveries/y/retry'],
    ];
    for (const [method, path] of paths) expectProblem(await send(method, path).set(admin()), { status: 404 });
    expect((await h.deliveries(dead.webhook.id))[0]).toMatchObject({ status: 'dead', attempts: dead.delivery.attempts });
  });

  it.each([
    ['status=bogus', 'status'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=%25%25', 'cursor'],
    [`cursor=${encodeCursor(['2026-01-01', 'x'])}`, 'cursor'],
    [`cursor=${encodeCursor([-1])}`, 'cursor'],
    ['order=asc', 'order'],
  ])('refuses deliveries?%s: 400 naming %s', async (query, field) => {
    expectProblem(await h.api.http.get(`/webhooks/${delivered.webhook.id}/deliveries?${query}`).set(admin()), { status: 400, field });
  });

  it('shows one delivery with its attempts', async () => {
    const response = await h.api.http.get(`/webhooks/${delivered.webhook.id}/deliveries/${delivered.delivery.id}`).set(admin()).expect(200);
    expect(response.body).toEqual(delivered.delivery);
  });

  it('refuses to retry a delivery that is not dead: 409, nothing changes', async () => {
    const response = await h.api.http.post(`/webhooks/${delivered.webhook.id}/deliveries/${delivered.delivery.id}/retry`).set(admin());
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ type: PROBLEM_TYPES.conflict, reason: 'not_dead', detail: 'the delivery is delivered; only a dead delivery can be retried' });
    expect((await h.deliveries(delivered.webhook.id))[0]).toEqual(delivered.delivery);
  });

  it('disables a subscription on DELETE (again: no change), keeps its history, and refuses to retry its dead deliveries: 409', async () => {
    await h.api.http.delete(`/webhooks/${dead.webhook.id}`).set(admin()).expect(204);
    const disabled = (await h.api.http.get(`/webhooks/${dead.webhook.id}`).set(admin()).expect(200)).body as Record<string, unknown>;
    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'admin', disabledAt: expect.any(String) });
    await h.api.http.delete(`/webhooks/${dead.webhook.id}`).set(admin()).expect(204);
    expect((await h.api.http.get(`/webhooks/${dead.webhook.id}`).set(admin()).expect(200)).body).toEqual(disabled);
    expect(await list()).toContainEqual(disabled);
    expect(await h.deliveries(dead.webhook.id)).toEqual([dead.delivery]);

    const response = await h.api.http.post(`/webhooks/${dead.webhook.id}/deliveries/${dead.delivery.id}/retry`).set(admin());
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ type: PROBLEM_TYPES.conflict, reason: 'subscription_disabled' });
    expect(await h.deliveries(dead.webhook.id)).toEqual([dead.delivery]);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const { paths } = (await h.api.http.get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(paths['/webhooks']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/webhooks/{id}/deliveries/{deliveryId}/retry'].post.responses).sort()).toEqual(['202', '401', '403', '404', '409']);
    expect(Object.keys(paths['/webhooks/{id}'].delete.responses).sort()).toEqual(['204', '401', '403', '404']);
    expect(paths['/webhooks/{id}/deliveries'].get.responses['400']).toBeDefined();
  });
});
