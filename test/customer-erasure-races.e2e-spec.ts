import type pg from 'pg';
import type { Response } from 'supertest';
import { PG_POOL } from '#providers';
import { startTestApi, type TestApi } from './support/api.js';

const ROUNDS = 6;

describe('erasing a customer while commands for them are running', () => {
  let api: TestApi;
  let pool: pg.Pool;
  const as = (role: 'service' | 'admin') => ({ Authorization: `Bearer ${api.keys[role]}` });

  beforeAll(async () => {
    api = await startTestApi();
    pool = api.app.get<pg.Pool>(PG_POOL);
  });
  afterAll(() => api?.close());

  const register = async (): Promise<string> => {
    const registered = await api.http
      .post('/customers')
      .set(as('service'))
      .send({ source: 'api', contact: { name: 'Ada Lovelace', email: 'ada@example.com' } })
      .expect(201);
    return registered.body.customerId as string;
  };
  /** Commands that all write personal fields, so each needs the customer's data key. */
  const commands = (id: string, round: number): Promise<Response>[] => [
    ...[1, 2, 3].map((n) => api.http.post(`/customers/${id}/notes`).set(as('service')).send({ text: `note ${round}.${n}` })),
    ...[1, 2].map((n) =>
      api.http
        .post(`/customers/${id}/calls`)
        .set(as('service'))
        .send({ direction: 'inbound', durationSeconds: 30 + n, outcome: 'connected', repId: 'rep-1', summary: `call ${round}.${n}` }),
    ),
    ...[1, 2].map((n) => api.http.patch(`/customers/${id}`).set(as('service')).send({ contact: { phone: `+44 20 7946 00${round}${n}` } })),
  ];
  const erase = (id: string) => api.http.post(`/customers/${id}/erase`).set(as('admin')).send({ reason: 'request' });
  const liveKeys = async (id: string) => {
    const { rows } = await pool.query<{ count: string }>(
      'select count(*) from personal_data.data_keys where stream_id = $1 and wrapped_key is not null',
      [`customer-${id}`],
    );
    return Number(rows[0].count);
  };

  it('leaves no usable data key behind, and answers every racing command with its result or a clear refusal', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const id = await register();
      // Started now (a supertest request only runs once awaited).
      const raced = commands(id, round).map((request) => request.then((response) => response));
      // The erasure starts a little later each round, so rounds see commands land before it, lose
      // to it, and run across it.
      await new Promise((resolve) => setTimeout(resolve, (round - 1) * 4));
      let erasure = await erase(id);
      // Many writers on one stream: the erasure itself may lose every attempt and answer 409.
      for (let retry = 0; erasure.status === 409 && retry < 5; retry++) erasure = await erase(id);
      expect([200, 422]).toContain(erasure.status);

      for (const response of await Promise.all(raced)) {
        const answer = { status: response.status, reason: response.body.reason as unknown };
        if (response.status === 422) expect(answer).toEqual({ status: 422, reason: 'customer_erased' });
        else expect([200, 201, 409]).toContain(answer.status);
      }
      expect({ round, liveKeys: await liveKeys(id) }).toEqual({ round, liveKeys: 0 });

      const after = await api.http.post(`/customers/${id}/notes`).set(as('service')).send({ text: 'too late' }).expect(422);
      expect(after.body.reason).toBe('customer_erased');
      expect(await liveKeys(id)).toBe(0);
    }
  });
});
