import type pg from 'pg';
import { PG_POOL } from '#providers';
import { startTestApi, type TestApi } from './support/api.js';

describe('POST /audit/projections/:name/verify', () => {
  let api: TestApi;
  const as = (role: 'service' | 'analyst' | 'auditor' | 'admin') => ({ Authorization: `Bearer ${api.keys[role]}` });

  beforeAll(async () => {
    api = await startTestApi({ withProjector: true });
    let position = '';
    for (let n = 0; n < 5; n++) {
      const registered = await api.http
        .post('/customers')
        .set(as('service'))
        .send({ customerId: `verify-${n}`, source: 'api', contact: { name: `Verified ${n}`, email: `v${n}@example.com` } })
        .expect(201);
      const call = await api.http
        .post(`/customers/${registered.body.customerId}/calls`)
        .set(as('service'))
        .send({ direction: 'inbound', durationSeconds: 30 * n, outcome: 'connected', repId: 'rep-1', summary: `call ${n}` })
        .expect(201);
      position = call.body.position;
    }
    // Both read models have applied every command.
    await api.http.get('/customers').query({ consistentWith: position }).set(as('analyst')).expect(200);
    await api.http.get('/customers/verify-4/timeline').set('X-Consistent-With', position).set(as('analyst')).expect(200);
  });
  afterAll(() => api?.close());

  it.each(['customer-timeline', 'customer-directory'])('finds %s in agreement with the log', async (name) => {
    const response = await api.http.post(`/audit/projections/${name}/verify`).set(as('auditor')).expect(200);
    expect(response.body).toMatchObject({ projection: name, version: 1, differences: [], truncated: false });
    expect(response.body.tables.length).toBeGreaterThan(0);
  });

  it('reports a row changed behind the projection’s back, from both sides', async () => {
    await api.app
      .get<pg.Pool>(PG_POOL)
      .query(`update projection_customer_directory_v1.customers set name = 'Tampered' where customer_id = 'verify-2'`);
    const response = await api.http.post('/audit/projections/customer-directory/verify').set(as('admin')).expect(200);
    const differences = response.body.differences as { table: string; only: string; row: { customer_id: string; name: string } }[];
    expect(differences.map((d) => [d.table, d.only, d.row.customer_id, d.row.name]).sort()).toEqual([
      ['customers', 'live', 'verify-2', 'Tampered'],
      ['customers', 'rebuilt', 'verify-2', 'Verified 2'],
    ]);
  });

  it('answers every one of many overlapping verifications, of one read model or two', async () => {
    for (let round = 0; round < 4; round++) {
      const responses = await Promise.all(
        Array.from({ length: 8 }, async (_, n) => {
          // Staggered a little, so some start while others migrate, compare or drop their scratch tables.
          await new Promise((resolve) => setTimeout(resolve, n * 7));
          const name = n % 2 === 0 ? 'customer-timeline' : 'customer-directory';
          return api.http.post(`/audit/projections/${name}/verify`).set(as('auditor'));
        }),
      );
      expect(responses.map((response) => [response.status, response.body.detail ?? response.body.projection])).toEqual(
        Array.from({ length: 8 }, (_, n) => [200, n % 2 === 0 ? 'customer-timeline' : 'customer-directory']),
      );
      for (const response of responses) expect(response.body.skipped).toEqual([]);
    }
    const { rows } = await api.app.get<pg.Pool>(PG_POOL).query(`select schema_name from information_schema.schemata where schema_name like 'verify_%'`);
    expect(rows).toEqual([]);
  });

  it('answers 404 for an unknown projection and 403 to other roles', async () => {
    await api.http.post('/audit/projections/nothing-here/verify').set(as('auditor')).expect(404);
    for (const role of ['service', 'analyst'] as const) {
      await api.http.post('/audit/projections/customer-timeline/verify').set(as(role)).expect(403);
    }
  });
});
