import { Logger } from '@nestjs/common';
import { redactPassword } from '#config';
import { Redis } from 'ioredis';

export interface RateLimit {
  /** Requests allowed per window and key. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * A fixed window per key: the first request of a window starts its timer; INCR and PEXPIRE run in
 * one script, so no key is ever left without an expiry (a crash between two commands could).
 */
const FIXED_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

const KEY_PREFIX = 'crm:lead-capture:rate:';
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 2_000;

/** Past this many keys, the in-process fallback drops expired windows before counting. */
const LOCAL_SWEEP_THRESHOLD = 10_000;

/**
 * Rate limits shared by every API process through Redis. When Redis cannot answer (down, or slower
 * than COMMAND_TIMEOUT_MS), each process falls back to counting on its own with the same limits,
 * and logs it once per outage: leads keep coming in, and a flood is still held back per process
 * (with N API processes a client may get up to N times the limit while Redis is away).
 */
export class SubmissionRateLimiter {
  private readonly redis: Redis;
  private readonly local: LocalRateLimiter;
  private readonly logger = new Logger('LeadCapture');
  private readonly where: string;
  private redisAvailable: boolean | undefined;

  constructor(
    redisUrl: string,
    private readonly rate: RateLimit,
  ) {
    this.where = redactPassword(redisUrl);
    this.local = new LocalRateLimiter(rate);
    // Fail fast rather than queue: a submission must not wait for a reconnect to be counted.
    this.redis = new Redis(redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // How long closing waits for a connection's end (2 s by default, also for one that never opened).
      disconnectTimeout: COMMAND_TIMEOUT_MS,
    });
    this.redis.on('ready', () => this.available());
    this.redis.on('error', (error: Error) => this.unavailable(error));
  }

  /** Connects, waiting at most CONNECT_TIMEOUT_MS: without Redis the API starts all the same (and counts per process). */
  async start(): Promise<void> {
    await this.redis.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }

  /** Counts a request under `key`, and says whether it is within the limit. */
  async take(key: string): Promise<RateDecision> {
    let reply: unknown;
    try {
      reply = await this.redis.eval(FIXED_WINDOW, 1, KEY_PREFIX + key, this.rate.windowSeconds * 1000);
    } catch (error) {
      this.unavailable(error instanceof Error ? error : new Error(String(error)));
      return this.local.take(key);
    }
    this.available();
    const [count, ttlMs] = reply as [number, number];
    return decision(count, ttlMs, this.rate.limit);
  }

  private available(): void {
    if (this.redisAvailable === false) this.logger.log(`Redis is back at ${this.where}: form submission rate limits are shared again`);
    this.redisAvailable = true;
  }

  private unavailable(error: Error): void {
    if (this.redisAvailable === false) return;
    this.redisAvailable = false;
    this.logger.warn(
      `Redis unavailable at ${this.where} (${error.message || error.name}): form submissions are still taken, rate-limited per process until it is back`,
    );
  }
}

/** The same fixed windows, in this process's memory. */
export class LocalRateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly rate: RateLimit) {}

  take(key: string, now = Date.now()): RateDecision {
    if (this.windows.size > LOCAL_SWEEP_THRESHOLD) {
      for (const [other, window] of this.windows) if (window.endsAt <= now) this.windows.delete(other);
    }
    let window = this.windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + this.rate.windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return decision(window.count, window.endsAt - now, this.rate.limit);
  }
}

function decision(count: number, remainingMs: number, limit: number): RateDecision {
  return count <= limit ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
}
