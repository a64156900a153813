import type pg from 'pg';
import { isErased, type EventStore, type JsonObject } from '#event-store';
import { EVENT_STORE, PG_POOL } from '#providers';
import { tamperWithLog, until } from '#testing';
import { startTestApi, type TestApi } from './support/api.js';

describe('POST /audit/log/verify', () => {
  let api: TestApi;
  let pool: pg.Pool;
  let erasedId: string;
  const as = (role: 'service' | 'analyst' | 'auditor' | 'admin') => ({ Authorization: `Bearer ${api.keys[role]}` });
  const verify = (role: 'auditor' | 'admin' = 'auditor') => api.http.post('/audit/log/verify').set(as(role));

  beforeAll(async () => {
    // The projector seals the log as it goes.
    api = await startTestApi({ withProjector: true });
    pool = api.app.get<pg.Pool>(PG_POOL);
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      const registered = await api.http
        .post('/customers')
        .set(as('service'))
        .send({ source: 'api', contact: { name: `Ada ${n}`, email: `ada${n}@example.com`, phone: '+44 20 7946 0000' }, tags: ['vip'] })
        .expect(201);
      const id = registered.body.customerId as string;
      await api.http.post(`/customers/${id}/notes`).set(as('service')).send({ text: `Met at the fair, day ${n}` }).expect(201);
      ids.push(id);
    }
    erasedId = ids[1];
    await api.http.post(`/customers/${erasedId}/erase`).set(as('admin')).send({ reason: 'their request' }).expect(200);
    // Erased for good: their personal values read as erased, from the very events the hashes cover.
    const [registration] = await api.app.get<EventStore>(EVENT_STORE).readStream(`customer-${erasedId}`);
    expect(isErased((registration.data.contact as JsonObject).name)).toBe(true);
    // All seven events in the log's readable head (it can lag a commit by a moment) and all sealed.
    await until('the projector sealed every event', async () => {
      const { body } = await verify().expect(200);
      return body.events === 7 && body.unsealedEvents === 0;
    }, 20_000);
  });
  afterAll(() => api?.close());

  it('finds the log clean, the erased customer’s events included', async () => {
    const response = await verify().expect(200);
    expect(response.body).toMatchObject({ clean: true, streamFindings: [], chain: null, checkpointFindings: [], unsealedEvents: 0 });
    // Three registrations, three notes, one erasure.
    expect(response.body).toMatchObject({ events: 7, streams: 3 });
    expect(response.body.checkpoints.verified).toBeGreaterThanOrEqual(1);
    expect(response.body.checkpoints.last).toMatchObject({ events: expect.any(Number), signature: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('answers overlapping verifications alike', async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, (_, n) => verify(n % 2 === 0 ? 'auditor' : 'admin')));
    expect(responses.map((response) => [response.status, response.body.clean])).toEqual(Array.from({ length: 6 }, () => [200, true]));
  });

  it('answers 403 to other roles and 401 without a key', async () => {
    for (const role of ['service', 'analyst'] as const) await api.http.post('/audit/log/verify').set(as(role)).expect(403);
    await api.http.post('/audit/log/verify').expect(401);
  });

  it('reports an event changed behind the log’s back at its stream, revision and position', async () => {
    await expect(pool.query(`update event_store.events set type = 'NoteAdded' where stream_id = $1`, [`customer-${erasedId}`])).rejects.toThrow(/append-only/);
    const { rows } = await pool.query<{ position: string }>(
      `select transaction_id || '-' || sequence as position from event_store.events where stream_id = $1 and revision = 1`,
      [`customer-${erasedId}`],
    );
    await tamperWithLog(pool, (client) =>
      client.query(`update event_store.events set data = jsonb_set(data, '{text}', '"rewritten"') where stream_id = $1 and revision = 1`, [`customer-${erasedId}`]),
    );
    const response = await verify('admin').expect(200);
    expect(response.body.clean).toBe(false);
    expect(response.body.streamFindings).toEqual([
      expect.objectContaining({ streamId: `customer-${erasedId}`, revision: 1, position: rows[0].position, problem: 'altered' }),
    ]);
  });
});
