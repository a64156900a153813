import type pg from 'pg';
import { ERASED, isErased, type EventStore, type JsonObject } from '#event-store';
import { EVENT_STORE, PG_POOL } from '#providers';
import { startTestApi, type TestApi } from './support/api.js';

describe('erasing a customer (POST /customers/:id/erase)', () => {
  let api: TestApi;
  let store: EventStore;
  const as = (role: 'service' | 'admin' | 'analyst' | 'auditor') => ({ Authorization: `Bearer ${api.keys[role]}` });

  beforeAll(async () => {
    api = await startTestApi();
    store = api.app.get(EVENT_STORE);
  });
  afterAll(() => api?.close());

  async function registerWithHistory(): Promise<string> {
    const registered = await api.http
      .post('/customers')
      .set(as('service'))
      .send({ source: 'api', contact: { name: 'Grace Hopper', email: 'grace@example.com', phone: '+1 555 0100' }, tags: ['navy'] })
      .expect(201);
    const id = registered.body.customerId as string;
    await api.http.post(`/customers/${id}/notes`).set(as('service')).send({ text: 'Prefers COBOL' }).expect(201);
    await api.http
      .post(`/customers/${id}/purchases`)
      .set(as('service'))
      .send({ orderId: 'o-1', lines: [{ productSku: 'SKU-1', quantity: 2, unitPriceMinor: 1500, currency: 'EUR' }] })
      .expect(201);
    return id;
  }

  it('makes personal fields unreadable, keeps the rest, records the erasure, and refuses further commands', async () => {
    const id = await registerWithHistory();
    const erased = await api.http.post(`/customers/${id}/erase`).set(as('admin')).send({ reason: 'request #1' }).expect(200);
    expect(erased.body).toMatchObject({ customerId: id, revision: 3 });

    const [registration, note, purchase, erasure] = await store.readStream(`customer-${id}`);
    const contact = registration.data.contact as JsonObject;
    expect(isErased(contact.name)).toBe(true);
    expect(isErased(contact.email)).toBe(true);
    expect(isErased(contact.phone)).toBe(true);
    expect(registration.data.tags).toEqual([ERASED]);
    expect(isErased(note.data.text)).toBe(true);
    expect(purchase.data).toMatchObject({ orderId: 'o-1', totalMinor: 3000 });
    // The reason is personal too (an operator may name the person in it): erased with the rest.
    expect(erasure).toMatchObject({ type: 'CustomerErased', data: { reason: ERASED } });

    // Not a byte of the plaintext is left anywhere in the log.
    const { rows } = await api.app
      .get<pg.Pool>(PG_POOL)
      .query<{ data: string }>('select data::text as data from event_store.events where stream_id = $1', [`customer-${id}`]);
    expect(rows.map((r) => r.data).join('\n')).not.toMatch(/Grace|grace@example\.com|555 0100|COBOL/);

    const refused = await api.http.post(`/customers/${id}/notes`).set(as('service')).send({ text: 'still there?' }).expect(422);
    expect(refused.body.reason).toBe('customer_erased');
    const again = await api.http.post(`/customers/${id}/erase`).set(as('admin')).send({}).expect(422);
    expect(again.body.reason).toBe('customer_erased');
  });

  it('is for admins only', async () => {
    const id = await registerWithHistory();
    for (const role of ['service', 'analyst', 'auditor'] as const) {
      await api.http.post(`/customers/${id}/erase`).set(as(role)).send({}).expect(403);
    }
    const [registration] = await store.readStream(`customer-${id}`);
    expect((registration.data.contact as JsonObject).name).toBe('Grace Hopper');
  });

  const keyRows = async (id: string) => {
    const { rows } = await api.app
      .get<pg.Pool>(PG_POOL)
      .query<{ live: boolean; sealed: boolean }>(
        'select wrapped_key is not null as live, sealed from personal_data.data_keys where stream_id = $1 order by generation',
        [`customer-${id}`],
      );
    return rows;
  };

  it('answers 404 for an unknown customer, and seals nothing', async () => {
    const response = await api.http.post('/customers/nobody-here/erase').set(as('admin')).send({}).expect(404);
    expect(response.body.reason).toBe('customer_not_found');
    expect(await keyRows('nobody-here')).toEqual([]);
  });

  it("seals the customer's keys once the erasure is recorded, and again on a repeated erase should the seal be missing", async () => {
    const id = await registerWithHistory();
    await api.http.post(`/customers/${id}/erase`).set(as('admin')).send({}).expect(200);
    expect(await keyRows(id)).toEqual([
      { live: false, sealed: false },
      { live: false, sealed: true },
    ]);

    // As after a crash between recording the erasure and sealing.
    await api.app.get<pg.Pool>(PG_POOL).query('delete from personal_data.data_keys where stream_id = $1 and sealed', [`customer-${id}`]);
    const again = await api.http.post(`/customers/${id}/erase`).set(as('admin')).send({}).expect(422);
    expect(again.body.reason).toBe('customer_erased');
    expect(await keyRows(id)).toEqual([
      { live: false, sealed: false },
      { live: false, sealed: true },
    ]);
  });
});
