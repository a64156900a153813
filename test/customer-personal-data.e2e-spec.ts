import { randomUUID } from 'node:crypto';
import { ERASED } from '#event-store';
import { startTestApi, type TestApi } from './support/api.js';

describe("a person's right of access (GET /customers/:id/personal-data)", () => {
  let api: TestApi;
  const as = (role: 'service' | 'admin' | 'analyst' | 'auditor') => ({ Authorization: `Bearer ${api.keys[role]}` });
  const repId = `rep-${randomUUID()}`;

  beforeAll(async () => {
    api = await startTestApi();
    await api.http.post('/reps').set(as('service')).send({ repId, name: 'Rep One', email: 'rep1@example.com', team: 'smb', region: 'north', startDate: '2026-01-05' }).expect(201);
  });
  afterAll(() => api?.close());

  async function customerWithHistory(): Promise<string> {
    const registered = await api.http
      .post('/customers')
      .set(as('service'))
      .send({ source: 'api', contact: { name: 'Ada Lovelace', email: `ada-${randomUUID()}@example.com` }, company: { name: 'Analytical Engines' }, tags: ['mathematics'] })
      .expect(201);
    const id = registered.body.customerId as string;
    await api.http.post(`/customers/${id}/notes`).set(as('service')).send({ text: 'Prefers letters to calls' }).expect(201);
    await api.http.post(`/reps/${repId}/tasks`).set(as('service')).send({ kind: 'call', title: 'Call Ada about the engine', customerId: id, dueOn: '2027-01-15' }).expect(201);
    return id;
  }

  it("returns everything held about the person, decrypted: their stream and the rep's task about them", async () => {
    const id = await customerWithHistory();
    const report = await api.http.get(`/customers/${id}/personal-data`).set(as('admin')).expect(200);
    expect(report.body).toMatchObject({ customerId: id, erased: false, state: { contact: { name: 'Ada Lovelace' }, tags: ['mathematics'] } });
    expect(report.body.events.map((event: { type: string }) => event.type)).toEqual(['CustomerRegistered', 'NoteAdded']);
    expect(report.body.events[0].data).toMatchObject({ company: { name: 'Analytical Engines' }, tags: ['mathematics'] });
    expect(report.body.events[1].data.text).toBe('Prefers letters to calls');
    expect(report.body.relatedEvents).toEqual([
      expect.objectContaining({ streamId: `rep-${repId}`, type: 'TaskAssigned', data: expect.objectContaining({ customerId: id, title: 'Call Ada about the engine' }) }),
    ]);
  });

  it('shows erased values once the person is erased', async () => {
    const id = await customerWithHistory();
    await api.http.post(`/customers/${id}/erase`).set(as('admin')).send({ reason: 'their request' }).expect(200);
    const report = await api.http.get(`/customers/${id}/personal-data`).set(as('admin')).expect(200);
    expect(report.body).toMatchObject({ customerId: id, erased: true });
    expect(report.body.events[0].data.contact.name).toEqual(ERASED);
    expect(report.body.events[1].data.text).toEqual(ERASED);
    expect(JSON.stringify(report.body)).not.toMatch(/Ada|Analytical|mathematics|letters|their request/);
  });

  it('is for admins only, and answers 404 for an unknown customer and 400 for a malformed id', async () => {
    const id = await customerWithHistory();
    for (const role of ['service', 'analyst', 'auditor'] as const) await api.http.get(`/customers/${id}/personal-data`).set(as(role)).expect(403);
    await api.http.get(`/customers/${id}/personal-data`).expect(401);
    const unknown = await api.http.get(`/customers/${randomUUID()}/personal-data`).set(as('admin')).expect(404);
    expect(unknown.body).toMatchObject({ status: 404, reason: 'customer_not_found' });
    await api.http.get('/customers/%20bad%20/personal-data').set(as('admin')).expect(400);
  });
});
