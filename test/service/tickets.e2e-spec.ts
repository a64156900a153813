import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/api.js';

describe('service desk tickets over HTTP', () => {
  let api: TestApi;
  let customerId: string;
  const as = (role: 'service' | 'admin' | 'analyst' | 'auditor') => ({ Authorization: `Bearer ${api.keys[role]}` });
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    api = await startTestApi();
    const registered = await api.http
      .post('/customers')
      .set(as('service'))
      .send({ source: 'api', contact: { name: 'Ada Lovelace', email: `ada-${randomUUID()}@example.com` } })
      .expect(201);
    customerId = registered.body.customerId as string;
  });
  afterAll(() => api?.close());

  const open = (body: Record<string, unknown> = {}) =>
    api.http.post('/tickets').set(as('service')).send({ customerId, channel: 'phone', category: 'complaint', subject: 'Desk wobbles', ...body });

  it('opens a ticket with a readable tracking number and finds it by that number, typed as a person would', async () => {
    const opened = await open({ priority: 'high', description: 'The left leg is short' }).expect(201);
    expect(opened.body).toEqual({ ticketId: expect.any(String), trackingNumber: expect.stringMatching(new RegExp(`^CS-${year}-\\d{6}$`)), revision: 0, position: expect.any(String) });
    const found = await api.http.get(`/tickets/by-number/${encodeURIComponent(` ${opened.body.trackingNumber.toLowerCase()} `)}`).set(as('analyst')).expect(200);
    expect(found.body).toMatchObject({ ticketId: opened.body.ticketId, customerId, status: 'open', priority: 'high', category: 'complaint', subject: 'Desk wobbles', revision: 0 });
    const extraZero = String(opened.body.trackingNumber).replace(/-(\d{6})$/, '-0$1');
    expect((await api.http.get(`/tickets/by-number/${extraZero}`).set(as('service')).expect(200)).body.ticketId).toBe(opened.body.ticketId);
  });

  it('draws distinct, consecutive numbers for concurrent opens, and the same number again for a retried open', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => open().expect(201)));
    const sequences = answers.map((answer) => Number(String(answer.body.trackingNumber).split('-')[2])).sort((a, b) => a - b);
    expect(new Set(sequences).size).toBe(12);
    expect(sequences[11] - sequences[0]).toBe(11);

    const key = randomUUID();
    const first = await open().set('Idempotency-Key', key).expect(201);
    const retry = await open().set('Idempotency-Key', key).expect(201);
    expect(retry.body.trackingNumber).toBe(first.body.trackingNumber);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('walks a ticket through its course: assign, hold, a customer reply resuming it, resolve, close, reopen', async () => {
    const { ticketId } = (await open().expect(201)).body as { ticketId: string };
    const post = (path: string, body: object = {}) => api.http.post(`/tickets/${ticketId}/${path}`).set(as('service')).send(body);
    await post('assign', { team: 'Support EMEA' }).expect(200);
    await post('priority', { priority: 'urgent' }).expect(200);
    await post('hold', { reason: 'Photo of the label, please' }).expect(200);
    expect((await api.http.get(`/tickets/${ticketId}`).set(as('service')).expect(200)).body.status).toBe('waiting_on_customer');
    await post('comments', { author: 'customer', text: 'Photo attached' }).expect(201);
    expect((await api.http.get(`/tickets/${ticketId}`).set(as('service')).expect(200)).body.status).toBe('open');
    await post('resolve', { resolutionCode: 'fixed', note: 'Leg replaced' }).expect(200);
    await post('close').expect(200);
    const reopened = await post('reopen', { reason: 'Wobbles again' }).expect(200);
    expect(reopened.body).toMatchObject({ ticketId, revision: 8 });
    expect((await api.http.get(`/tickets/${ticketId}`).set(as('service')).expect(200)).body).toMatchObject({ status: 'open', team: 'Support EMEA', priority: 'urgent', reopenCount: 1 });
  });

  it('refuses an invalid transition with its rule, and loses nothing', async () => {
    const { ticketId } = (await open().expect(201)).body as { ticketId: string };
    const closing = await api.http.post(`/tickets/${ticketId}/close`).set(as('service')).send({}).expect(422);
    expect(closing.body).toMatchObject({ reason: 'invalid_transition' });
    const both = await api.http.post(`/tickets/${ticketId}/assign`).set(as('service')).send({ agentRepId: 'rep-1', team: 'Support' }).expect(422);
    expect(both.body).toMatchObject({ reason: 'agent_or_team' });
    expect((await api.http.get(`/tickets/${ticketId}`).set(as('service')).expect(200)).body).toMatchObject({ status: 'open', revision: 0 });
  });

  it('answers 404 for an unknown customer, ticket or number, and 400 for a bad body', async () => {
    expect((await open({ customerId: 'nobody-here' }).expect(404)).body).toMatchObject({ reason: 'customer_not_found' });
    await api.http.post('/tickets/no-such-ticket/resolve').set(as('service')).send({ resolutionCode: 'fixed' }).expect(404);
    await api.http.get(`/tickets/by-number/CS-${year}-999999`).set(as('service')).expect(404);
    await api.http.get('/tickets/by-number/not-a-number').set(as('service')).expect(404);
    const bad = await open({ channel: 'pigeon', extra: 1 }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('channel');
    await api.http.post('/tickets').set(as('analyst')).send({ customerId, channel: 'phone', category: 'question', subject: 'x' }).expect(403);
  });
});
