import { randomUUID } from 'node:crypto';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import type pg from 'pg';
import { commandsMigrations } from './commands.migrations.js';
import { requestHash } from './command-request.js';
import { IdempotencyStore, type Claim, type IdempotencyLease } from './idempotency.store.js';

describe('IdempotencyStore', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: IdempotencyStore;
  const principalKeyId = randomUUID();
  const request = requestHash('POST', '/customers', { name: 'Ada' });
  const otherRequest = requestHash('POST', '/customers', { name: 'Grace' });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrate(pool, commandsMigrations);
    store = new IdempotencyStore(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const scope = () => ({ principalKeyId, key: randomUUID() });

  function leaseOf(claim: Claim): IdempotencyLease {
    if (claim.outcome !== 'acquired') throw new Error(`expected to acquire, got ${claim.outcome}`);
    return claim.lease;
  }

  it('lets the first request run, then replays its response to retries of the same request', async () => {
    const key = scope();
    const lease = leaseOf(await store.claim(key, request));
    expect(await store.claim(key, request)).toEqual({ outcome: 'in_progress' });
    expect(await store.complete(lease, { status: 201, body: { id: 'c1', lines: [1, 2] } })).toBe(true);
    expect(await store.claim(key, request)).toEqual({ outcome: 'replay', response: { status: 201, body: { id: 'c1', lines: [1, 2] } } });
    expect(await store.claim(key, request)).toEqual({ outcome: 'replay', response: { status: 201, body: { id: 'c1', lines: [1, 2] } } });
  });

  it('replays bodies of any JSON shape, and no body', async () => {
    for (const body of [[1, { a: 'b' }], 'text', 0, null]) {
      const key = scope();
      await store.complete(leaseOf(await store.claim(key, request)), { status: 200, body });
      expect(await store.claim(key, request)).toEqual({ outcome: 'replay', response: { status: 200, body } });
    }
  });

  it('refuses the key for another request, running or done', async () => {
    const key = scope();
    const lease = leaseOf(await store.claim(key, request));
    expect(await store.claim(key, otherRequest)).toEqual({ outcome: 'mismatch' });
    await store.complete(lease, { status: 201, body: null });
    expect(await store.claim(key, otherRequest)).toEqual({ outcome: 'mismatch' });
  });

  it('forgets a released key, so that a corrected request may use it', async () => {
    const key = scope();
    await store.release(leaseOf(await store.claim(key, request)));
    const lease = leaseOf(await store.claim(key, otherRequest));
    await store.complete(lease, { status: 201, body: { ok: true } });
    expect(await store.claim(key, otherRequest)).toMatchObject({ outcome: 'replay' });
  });

  it('keeps the keys of different API keys apart', async () => {
    const key = scope();
    leaseOf(await store.claim(key, request));
    leaseOf(await store.claim({ principalKeyId: randomUUID(), key: key.key }, otherRequest));
  });

  it('lets exactly one of concurrent identical requests run', async () => {
    const key = scope();
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claim(key, request)));
    expect(claims.filter((claim) => claim.outcome === 'acquired')).toHaveLength(1);
    expect(claims.filter((claim) => claim.outcome === 'in_progress')).toHaveLength(9);
  });

  it('hands a claim whose holder went silent past its lease to a retry of the same request, and only to it', async () => {
    const shortLeases = new IdempotencyStore(pool, { leaseSeconds: 0.2 });
    const key = scope();
    const crashed = leaseOf(await shortLeases.claim(key, request));
    expect(await shortLeases.claim(key, request)).toEqual({ outcome: 'in_progress' });
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(await shortLeases.claim(key, otherRequest)).toEqual({ outcome: 'mismatch' });
    const retry = leaseOf(await shortLeases.claim(key, request));
    // The old holder, should it wake up, can neither complete nor release the retry's claim.
    expect(await shortLeases.complete(crashed, { status: 201, body: 'stale' })).toBe(false);
    await shortLeases.release(crashed);
    expect(await shortLeases.claim(key, request)).toEqual({ outcome: 'in_progress' });
    expect(await shortLeases.complete(retry, { status: 201, body: 'fresh' })).toBe(true);
    expect(await shortLeases.claim(key, request)).toEqual({ outcome: 'replay', response: { status: 201, body: 'fresh' } });
  });
});
