import { LocalRateLimiter } from './rate-limiter.js';

describe('LocalRateLimiter (the fallback while Redis is away)', () => {
  it('allows `limit` requests per key and window, then says how long to wait', () => {
    const limiter = new LocalRateLimiter({ limit: 2, windowSeconds: 60 });
    expect(limiter.take('a', 0)).toEqual({ allowed: true });
    expect(limiter.take('a', 1_000)).toEqual({ allowed: true });
    expect(limiter.take('a', 30_500)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.take('b', 30_500)).toEqual({ allowed: true });
    expect(limiter.take('a', 60_000)).toEqual({ allowed: true });
  });
});
