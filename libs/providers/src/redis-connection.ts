import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { redactPassword, type AppConfig } from '#config';
import { APP_CONFIG } from './tokens.js';

/**
 * The worker's Redis connections. Redis being down does not stop the process: the outage is logged
 * once, the clients keep reconnecting, and recovery is logged too.
 *
 * Two clients, because BullMQ's two sides want opposite things during an outage: `client` (BullMQ
 * workers) waits it out (`maxRetriesPerRequest: null`, as BullMQ requires of blocking commands);
 * `producer` (adding and removing jobs from the log subscriber) fails at once (no offline queue),
 * so the subscriber rolls its batch back and retries later instead of holding a transaction open.
 * Both connect as they are created: BullMQ gives up for good on a client it has to connect itself
 * while Redis is down. Queues and workers are made here, on the right client and under this
 * database's prefix, their errors logged only while Redis answers (an outage is logged once, here).
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis;
  readonly producer: Redis;
  /** Keys of this database's queues start with it (see `queuePrefix`). */
  readonly prefix: string;
  private readonly logger = new Logger('Worker');
  private readonly where: string;
  private available: boolean | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.where = redactPassword(config.redisUrl);
    this.prefix = queuePrefix(config.databaseUrl);
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    this.producer = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.client.on('ready', () => this.reachable());
    this.client.on('error', (error: Error) => this.unreachable(error));
    // The client above reports the outage; this listener only keeps the producer's errors handled.
    this.producer.on('error', () => undefined);
  }

  /** Whether jobs can be added right now (else the caller retries later). */
  get producerReady(): boolean {
    return this.producer.status === 'ready';
  }

  /** Whether Redis answered last time it was asked: errors while it is away are the outage, already logged. */
  get reachableNow(): boolean {
    return this.available === true;
  }

  /** A queue to add and remove jobs with (the producer client: it fails fast while Redis is away). */
  queue<T>(name: string, logger: Logger): Queue<T> {
    const queue = new Queue<T>(name, { connection: this.producer, prefix: this.prefix });
    queue.on('error', (error) => this.reportError(logger, `${name} queue`, error));
    return queue;
  }

  /** A BullMQ worker running `run` for each job of queue `name`; completions are logged at debug level, failures as warnings. */
  worker<T, R>(name: string, run: Processor<T, R>, concurrency: number, logger: Logger): Worker<T, R> {
    const worker = new Worker<T, R>(name, run, { connection: this.client, prefix: this.prefix, concurrency });
    worker.on('completed', (job, result) => logger.debug(`${job.id}: ${JSON.stringify(result)}`));
    worker.on('failed', (job, error) => logger.warn(`${job?.id ?? `a ${name} job`} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`));
    worker.on('error', (error) => this.reportError(logger, `${name} worker`, error));
    return worker;
  }

  /** While Redis is away every call fails: that outage is logged once, by this connection. */
  reportError(logger: Logger, what: string, error: Error): void {
    if (this.reachableNow) logger.error(`${what}: ${error.message}`, error.stack);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.client, this.producer].map((redis) => (redis.status === 'ready' ? redis.quit().then(() => undefined) : redis.disconnect())));
  }

  private reachable(): void {
    this.logger.log(`${this.available === false ? 'Redis is back' : 'connected to Redis'} at ${this.where}`);
    this.available = true;
  }

  private unreachable(error: Error): void {
    if (this.available === false) return;
    this.available = false;
    this.logger.warn(`Redis unavailable at ${this.where} (${error.message || error.name}): no jobs run until it answers; reconnecting`);
  }
}

/** Keys of this database's queues in Redis start with it: databases sharing a Redis never share jobs. */
export function queuePrefix(databaseUrl: string): string {
  return `crm:${decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''))}`;
}
