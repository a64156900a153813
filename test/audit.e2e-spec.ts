import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Role } from '#auth';
import { comparePositions, parsePosition } from '#event-store';
import { PROBLEM_TYPES } from '#http';
import { startTestApi, type TestApi } from './support/api.js';

interface AuditEventBody {
  id: string;
  revision: number;
  position: string;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: { actor: string; commandId: string; correlationId: string; causationId: string; recordedAt: string };
}

const ERASED = { $erased: true };
const ORDER = 'order-1';

describe('the audit replay (GET /audit/customers/:id/events and /state)', () => {
  let api: TestApi;
  const as = (role: Role) => ({ Authorization: `Bearer ${api.keys[role]}` });
  /** A customer with six events, each recorded at least a few milliseconds after the one before. */
  let id: string;
  let history: AuditEventBody[];

  async function send(method: 'post' | 'patch', path: string, body: object, status: number, role: Role = 'service'): Promise<void> {
    await api.http[method](path).set(as(role)).set('X-Correlation-Id', 'audit-test').send(body).expect(status);
    // Distinct recording times, so a time between two commands exists.
    await sleep(5);
  }

  async function events(query: Record<string, string | number> = {}, customerId = id): Promise<{ events: AuditEventBody[]; nextCursor: number | null }> {
    return (await api.http.get(`/audit/customers/${customerId}/events`).query(query).set(as('auditor')).expect(200)).body;
  }

  beforeAll(async () => {
    api = await startTestApi();
    id = `c-${randomUUID()}`;
    await send('post', '/customers', { customerId: id, source: 'api', contact: { name: 'Ada Lovelace', email: 'ada@example.com' }, tags: ['fair'] }, 201);
    await send('post', `/customers/${id}/notes`, { text: 'Prefers calls after 3 pm' }, 201);
    await send('post', `/customers/${id}/calls`, { direction: 'outbound', durationSeconds: 60, outcome: 'connected', repId: 'rep-1' }, 201);
    await send('post', `/customers/${id}/purchases`, { orderId: ORDER, lines: [{ productSku: 'SKU-1', quantity: 3, unitPriceMinor: 1000, currency: 'EUR' }] }, 201);
    await send('post', `/customers/${id}/refunds`, { orderId: ORDER, lines: [{ lineNo: 1, quantity: 1 }] }, 201);
    await send('patch', `/customers/${id}`, { contact: { phone: '+44 20 7946 0000' } }, 200);
    history = (await events()).events;
  });
  afterAll(() => api?.close());

  describe('GET /audit/customers/:id/events', () => {
    it('answers the whole history with positions and metadata, personal data decrypted', async () => {
      expect(history.map((e) => [e.revision, e.type])).toEqual([
        [0, 'CustomerRegistered'],
        [1, 'NoteAdded'],
        [2, 'CallLogged'],
        [3, 'PurchaseRecorded'],
        [4, 'RefundRecorded'],
        [5, 'ProfileUpdated'],
      ]);
      for (const event of history) {
        expect(event).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), position: expect.stringMatching(/^\d+-\d+$/), schemaVersion: 1 });
        expect(event.metadata).toEqual({
          actor: 'service:test-service',
          commandId: expect.any(String),
          correlationId: 'audit-test',
          causationId: event.metadata.commandId,
          recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        });
      }
      const positions = history.map((e) => parsePosition(e.position));
      expect(positions.slice(1).every((position, i) => comparePositions(positions[i], position) < 0)).toBe(true);
      expect(history[0].data).toMatchObject({ customerId: id, contact: { name: 'Ada Lovelace', email: 'ada@example.com' }, tags: ['fair'] });
      expect(history[1].data).toMatchObject({ text: 'Prefers calls after 3 pm' });
      expect(await events()).toEqual({ events: history, nextCursor: null });
    });

    it('bounds the history by revision and by recording time, inclusively', async () => {
      const revisions = async (query: Record<string, string | number>) => (await events(query)).events.map((e) => e.revision);
      expect(await revisions({ fromRevision: 1, toRevision: 3 })).toEqual([1, 2, 3]);
      expect(await revisions({ toRevision: 0 })).toEqual([0]);
      expect(await revisions({ fromRevision: 4 })).toEqual([4, 5]);
      expect(await revisions({ from: history[2].metadata.recordedAt, to: history[3].metadata.recordedAt })).toEqual([2, 3]);
      expect(await revisions({ from: history[5].metadata.recordedAt })).toEqual([5]);
      expect(await revisions({ to: history[0].metadata.recordedAt })).toEqual([0]);
      // Both kinds of bound together; an offset other than Z means the same moment.
      const atPurchase = new Date(history[3].metadata.recordedAt);
      const inParis = new Date(atPurchase.getTime() + 3_600_000).toISOString().replace('Z', '+01:00');
      expect(await revisions({ fromRevision: 1, to: inParis })).toEqual([1, 2, 3]);
      // A range holding nothing of an existing customer is an empty page, not a 404.
      expect(await events({ fromRevision: 6 })).toEqual({ events: [], nextCursor: null });
      expect(await events({ to: new Date(Date.parse(history[0].metadata.recordedAt) - 1).toISOString() })).toEqual({ events: [], nextCursor: null });
    });

    it('pages with a cursor, also within a range', async () => {
      const first = await events({ limit: 2 });
      expect(first).toEqual({ events: history.slice(0, 2), nextCursor: 1 });
      const second = await events({ limit: 2, after: 1 });
      expect(second).toEqual({ events: history.slice(2, 4), nextCursor: 3 });
      expect(await events({ limit: 2, after: 3 })).toEqual({ events: history.slice(4), nextCursor: null });
      expect(await events({ limit: 6 })).toEqual({ events: history, nextCursor: null });

      const range = { from: history[1].metadata.recordedAt, toRevision: 4, limit: 2 };
      expect(await events(range)).toEqual({ events: history.slice(1, 3), nextCursor: 2 });
      expect(await events({ ...range, after: 2 })).toEqual({ events: history.slice(3, 5), nextCursor: null });
    });
  });

  describe('GET /audit/customers/:id/state', () => {
    async function state(asOf?: string | number) {
      const request = api.http.get(`/audit/customers/${id}/state`).set(as('auditor'));
      return (await (asOf === undefined ? request : request.query({ asOf })).expect(200)).body;
    }

    it('answers the current state without asOf', async () => {
      const now = await state();
      expect(now).toMatchObject({ customerId: id, asOf: { revision: 5, recordedAt: history[5].metadata.recordedAt } });
      expect(now.state).toMatchObject({
        registered: true,
        erased: false,
        customerId: id,
        contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000' },
        interactions: { calls: 1, notes: 1, purchases: 1, refunds: 1 },
      });
      expect(now.state.orders[ORDER]).toMatchObject({ totalMinor: 3000, refundedMinor: 1000 });
    });

    it('rebuilds the state as of a revision', async () => {
      const afterPurchase = await state(3);
      expect(afterPurchase.asOf).toEqual({ revision: 3, recordedAt: history[3].metadata.recordedAt });
      expect(afterPurchase.state.orders[ORDER]).toMatchObject({ totalMinor: 3000, refundedMinor: 0, lines: [{ lineNo: 1, quantity: 3, refundedQuantity: 0 }] });
      expect(afterPurchase.state.interactions).toMatchObject({ purchases: 1, refunds: 0 });
      expect(afterPurchase.state.contact).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });

      const registered = await state(0);
      expect(registered.asOf.revision).toBe(0);
      expect(registered.state).toMatchObject({ registered: true, orders: {}, interactions: { notes: 0 } });
    });

    it('rebuilds the state as of a time between two commands: after the purchase, before the refund', async () => {
      const purchased = Date.parse(history[3].metadata.recordedAt);
      const refunded = Date.parse(history[4].metadata.recordedAt);
      expect(refunded - purchased).toBeGreaterThanOrEqual(2);
      const between = new Date(Math.floor((purchased + refunded) / 2)).toISOString();

      const then = await state(between);
      expect(then.asOf).toEqual({ revision: 3, recordedAt: history[3].metadata.recordedAt });
      expect(then.state.orders[ORDER]).toMatchObject({ refundedMinor: 0 });
      expect(then.state.refundIds).toEqual([]);
      // At the very moment of the refund, it counts.
      const atRefund = await state(history[4].metadata.recordedAt);
      expect(atRefund.asOf.revision).toBe(4);
      expect(atRefund.state.orders[ORDER]).toMatchObject({ refundedMinor: 1000 });
    });

    it('answers the latest state for a revision past the end, and says which revision that is', async () => {
      expect((await state(999)).asOf).toEqual({ revision: 5, recordedAt: history[5].metadata.recordedAt });
      expect((await state('2999-01-01T00:00:00Z')).asOf.revision).toBe(5);
    });

    it('answers 404 for a time before the first event', async () => {
      const before = new Date(Date.parse(history[0].metadata.recordedAt) - 1).toISOString();
      const response = await api.http.get(`/audit/customers/${id}/state`).query({ asOf: before }).set(as('auditor')).expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: PROBLEM_TYPES.notFound, reason: 'customer_not_yet_registered' });
      expect(response.body.detail).toContain(history[0].metadata.recordedAt);
    });
  });

  it('shows an erased customer with erased markers, in the history and in past states', async () => {
    const erasedId = `c-${randomUUID()}`;
    await send('post', '/customers', { customerId: erasedId, source: 'api', contact: { name: 'Grace Hopper', phone: '+1 555 0100' }, tags: ['navy'] }, 201);
    await send('post', `/customers/${erasedId}/notes`, { text: 'Prefers COBOL' }, 201);
    await send('post', `/customers/${erasedId}/erase`, { reason: 'request #7' }, 200, 'admin');

    const { events: erasedHistory } = await events({}, erasedId);
    expect(erasedHistory.map((e) => e.type)).toEqual(['CustomerRegistered', 'NoteAdded', 'CustomerErased']);
    expect(erasedHistory[0].data).toMatchObject({ contact: { name: ERASED, phone: ERASED }, tags: [ERASED] });
    expect(erasedHistory[1].data).toMatchObject({ text: ERASED });
    expect(erasedHistory[2].data).toMatchObject({ reason: ERASED });
    expect(erasedHistory[2].metadata.actor).toBe('admin:test-admin');

    const url = `/audit/customers/${erasedId}/state`;
    const before = (await api.http.get(url).query({ asOf: 1 }).set(as('auditor')).expect(200)).body;
    expect(before.state).toMatchObject({ erased: false, contact: { name: ERASED, phone: ERASED }, tags: [ERASED] });
    const now = (await api.http.get(url).set(as('auditor')).expect(200)).body;
    expect(now.state).toMatchObject({ erased: true, contact: null, erasedAt: expect.any(String), interactions: { notes: 1 } });
    expect(JSON.stringify([erasedHistory, before, now])).not.toMatch(/Grace|555 0100|COBOL/);
  });

  it.each(['events', 'state'])('is for auditors and admins only (%s)', async (route) => {
    const url = `/audit/customers/${id}/${route}`;
    await api.http.get(url).expect(401);
    for (const role of ['service', 'analyst'] as const) {
      const refused = await api.http.get(url).set(as(role)).expect(403);
      expect(refused.body.type).toBe(PROBLEM_TYPES.forbidden);
    }
    for (const role of ['auditor', 'admin'] as const) await api.http.get(url).set(as(role)).expect(200);
  });

  it.each(['events', 'state'])('answers 404 for an unknown customer (%s)', async (route) => {
    const response = await api.http.get(`/audit/customers/nobody-here/${route}`).set(as('auditor')).expect(404);
    expect(response.body).toMatchObject({ type: PROBLEM_TYPES.notFound, status: 404, reason: 'customer_not_found', detail: 'no customer nobody-here' });
  });

  it.each([
    ['events', { fromRevision: '-1' }, 'fromRevision'],
    ['events', { fromRevision: 'abc' }, 'fromRevision'],
    ['events', { toRevision: '1.5' }, 'toRevision'],
    ['events', { toRevision: '1e3' }, 'toRevision'],
    ['events', { fromRevision: '3', toRevision: '2' }, 'toRevision'],
    ['events', { after: '' }, 'after'],
    ['events', { limit: '0' }, 'limit'],
    ['events', { limit: '1001' }, 'limit'],
    ['events', { from: 'yesterday' }, 'from'],
    ['events', { from: '2026-11-20T10:00:00' }, 'from'],
    ['events', { to: '2026-02-30T00:00:00Z' }, 'to'],
    ['events', { from: '2026-11-21T00:00:00Z', to: '2026-11-20T00:00:00Z' }, 'to'],
    ['events', { revision: '1' }, 'revision'],
    ['state', { asOf: 'soon' }, 'asOf'],
    ['state', { asOf: '-1' }, 'asOf'],
    ['state', { asOf: '' }, 'asOf'],
    ['state', { asOf: '2026-11-20' }, 'asOf'],
  ])('answers 400 naming the parameter (%s %j)', async (route, query, field) => {
    const response = await api.http.get(`/audit/customers/${id}/${route}`).query(query).set(as('auditor')).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.type).toBe(PROBLEM_TYPES.validationFailed);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
  });

  it('answers 400 for a malformed customer id', async () => {
    const response = await api.http.get('/audit/customers/not%20an%20id/events').set(as('auditor')).expect(400);
    expect(response.body.errors).toEqual([{ field: 'id', message: expect.stringMatching(/^id must be/) }]);
  });

  it('documents both routes in the OpenAPI document', async () => {
    const document = (await api.http.get('/openapi.json').expect(200)).body;
    const history = document.paths['/audit/customers/{id}/events'].get;
    const state = document.paths['/audit/customers/{id}/state'].get;
    for (const route of [history, state]) {
      expect(route.summary).toEqual(expect.any(String));
      expect(route.security).toEqual([{ 'api-key': [] }]);
      expect(Object.keys(route.responses).sort()).toEqual(['200', '400', '401', '403', '404']);
    }
    expect(history.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CustomerHistoryDto' });
    expect(state.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CustomerStateAsOfDto' });
    expect(history.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['after', 'from', 'fromRevision', 'id', 'limit', 'to', 'toRevision']);
    expect(state.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['asOf', 'id']);
    const { schemas } = document.components;
    expect(Object.keys(schemas.AuditEventDto.properties)).toEqual(['id', 'revision', 'position', 'type', 'schemaVersion', 'data', 'metadata']);
    expect(schemas.CustomerStateAsOfDto.properties.state.properties.orders).toMatchObject({ type: 'object' });
  });
});
