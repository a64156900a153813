import { backoffMs, classifyAttempt, deliveryIdFor, laneLockKey, nextStep } from './webhook.delivery.js';

const CONFIG = { maxAttempts: 4, timeoutMs: 1_000, backoffMs: 1_000, maxBackoffMs: 5_000 };
const SUBSCRIPTION = '3f1c6a2e-8d4b-4f0a-9b7e-5c2d1e0f9a8b';
const EVENT = '9b2d7c4e-1f3a-5e6b-8c9d-0a1b2c3d4e5f';

describe('deliveryIdFor', () => {
  it('is a version-8 UUID, the same for the same subscription and event', () => {
    const id = deliveryIdFor(SUBSCRIPTION, EVENT);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deliveryIdFor(SUBSCRIPTION, EVENT)).toBe(id);
  });

  it('differs for another event or subscription', () => {
    const ids = new Set([deliveryIdFor(SUBSCRIPTION, EVENT), deliveryIdFor(EVENT, SUBSCRIPTION), deliveryIdFor(SUBSCRIPTION, SUBSCRIPTION), deliveryIdFor(EVENT, EVENT)]);
    expect(ids.size).toBe(4);
  });
});

describe('backoffMs', () => {
  it('starts at the first delay and doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 50].map((failed) => backoffMs(failed, CONFIG))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  it('stays finite for any number of failures', () => {
    expect(backoffMs(10_000, { backoffMs: 86_400_000, maxBackoffMs: 86_400_000 })).toBe(86_400_000);
  });
});

describe('classifyAttempt', () => {
  it.each([
    [{ statusCode: 200 }, 'delivered'],
    [{ statusCode: 204 }, 'delivered'],
    [{ statusCode: 299 }, 'delivered'],
    [{ statusCode: 410 }, 'gone'],
    [{ statusCode: 301 }, 'failed'],
    [{ statusCode: 404 }, 'failed'],
    [{ statusCode: 429 }, 'failed'],
    [{ statusCode: 500 }, 'failed'],
    [{ error: 'no answer within 1000 ms' }, 'failed'],
    [{ error: 'ECONNREFUSED' }, 'failed'],
  ] as const)('%j is %s', (result, outcome) => {
    expect(classifyAttempt(result)).toBe(outcome);
  });
});

describe('nextStep', () => {
  it('finishes a delivered delivery, and cancels after a 410', () => {
    expect(nextStep('delivered', 3, 0, CONFIG)).toEqual({ status: 'delivered' });
    expect(nextStep('gone', 1, 0, CONFIG)).toEqual({ status: 'cancelled' });
  });

  it('retries a failure with backoff until the round has made maxAttempts attempts, then is dead', () => {
    expect([1, 2, 3, 4].map((attempt) => nextStep('failed', attempt, 0, CONFIG))).toEqual([
      { status: 'queued', retryInMs: 1_000 },
      { status: 'queued', retryInMs: 2_000 },
      { status: 'queued', retryInMs: 4_000 },
      { status: 'dead' },
    ]);
  });

  it('counts a manual retry as a fresh round: attempts before it do not count, backoff starts over', () => {
    expect(nextStep('failed', 5, 4, CONFIG)).toEqual({ status: 'queued', retryInMs: 1_000 });
    expect(nextStep('failed', 8, 4, CONFIG)).toEqual({ status: 'dead' });
  });
});

describe('laneLockKey', () => {
  it('is a 32-bit integer, the same for the same lane', () => {
    const key = laneLockKey(SUBSCRIPTION, 'customer-1');
    expect(Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31).toBe(true);
    expect(laneLockKey(SUBSCRIPTION, 'customer-1')).toBe(key);
    expect(laneLockKey(SUBSCRIPTION, 'customer-2')).not.toBe(key);
  });
});
