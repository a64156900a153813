import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { FormsHarness, PROBLEM_JSON } from './support.js';

// Windows of a few seconds: long enough for three requests to fall in one, short enough to wait one out.
const LIMITS = { LEAD_CAPTURE_RATE_LIMIT: '2', LEAD_CAPTURE_RATE_WINDOW_SECONDS: '3' };
const run = randomUUID().slice(0, 8);
const email = (n: number) => `rate-${n}-${run}@example.com`;

/** Waits out the window a 429 named. */
const waitOut = (retryAfter: string) => sleep(Number(retryAfter) * 1000 + 100);

describe('lead-capture rate limits', () => {
  describe('shared through Redis', () => {
    let h: FormsHarness;
    let redis: Redis;

    beforeAll(async () => {
      h = await FormsHarness.start({ env: { ...LIMITS, LEAD_CAPTURE_TRUSTED_PROXIES: '1' } });
      redis = new Redis('redis://127.0.0.1:6379');
    });

    afterAll(async () => {
      await h?.close();
      await redis?.quit();
    });

    it('answers 429 with Retry-After past the limit, records nothing for it, and takes submissions again after the window', async () => {
      const form = await h.createForm();
      await h.submitJson(form, { email: email(1) }).expect(202);
      await h.submitJson(form, { email: email(2) }).expect(202);
      let retryAfter = '';
      await h.expectNothingAppended(async () => {
        const limited = await h.submitJson(form, { email: email(3) }).expect(429);
        expect(limited.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
        retryAfter = String(limited.headers['retry-after']);
      });
      expect(['1', '2', '3']).toContain(retryAfter);
      // The counter lives in Redis, where every API process shares it.
      expect(await redis.keys(`crm:lead-capture:rate:${form.id}:*`)).toHaveLength(1);

      await waitOut(retryAfter);
      await h.submitJson(form, { email: email(4) }).expect(202);
      expect(await h.customersWith(email(3))).toEqual([]);
      await h.customerWith(email(4));
    });

    it('counts per form and per client address (the one the trusted proxy forwards)', async () => {
      const [first, second] = [await h.createForm(), await h.createForm()];
      const from = (address: string) => ({ 'X-Forwarded-For': address });
      await h.submitJson(first, { email: email(5) }, from('203.0.113.1')).expect(202);
      await h.submitJson(first, { email: email(6) }, from('203.0.113.1')).expect(202);
      await h.submitJson(first, { email: email(7) }, from('203.0.113.1')).expect(429);
      await h.submitJson(first, { email: email(8) }, from('203.0.113.2')).expect(202);
      await h.submitJson(second, { email: email(9) }, from('203.0.113.1')).expect(202);
    });
  });

  describe('with Redis unreachable', () => {
    let h: FormsHarness;

    beforeAll(async () => {
      // Nothing listens on port 1.
      h = await FormsHarness.start({ env: { ...LIMITS, REDIS_URL: 'redis://127.0.0.1:1' } });
    });

    afterAll(async () => {
      await h?.close();
    });

    it('still takes leads, and limits each process on its own', async () => {
      const form = await h.createForm();
      await h.submitJson(form, { email: email(10) }).expect(202);
      await h.submitJson(form, { email: email(11) }).expect(202);
      const limited = await h.submitJson(form, { email: email(12) }).expect(429);
      await h.customerWith(email(10));
      await h.customerWith(email(11));
      expect(await h.customersWith(email(12))).toEqual([]);

      await waitOut(String(limited.headers['retry-after']));
      await h.submitJson(form, { email: email(13) }).expect(202);
      await h.customerWith(email(13));
    });
  });
});
