import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import type pg from 'pg';
import type { AppConfig } from '#config';
import type { EventStore } from '#event-store';
import {
  FOLLOW_UP_QUEUE,
  REPURCHASE_QUEUE,
  followUpScheduler,
  queuePrefix,
  repurchaseScheduler,
  runFollowUp,
  runRepurchaseReminder,
  type DueOutcome,
  type FollowUpJob,
  type FollowUpTiming,
  type RepurchaseJob,
} from '#follow-ups';
import { ProjectionSupervisor } from '#projections';
import { APP_CONFIG, EVENT_STORE, PG_POOL } from '#runtime';
import { RedisConnection } from './redis-connection.js';

/** The clock and day length follow-ups and reminders are scheduled by (a day and `Date.now`; tests shorten both). */
export const FOLLOW_UP_TIMING = Symbol('FOLLOW_UP_TIMING');

/**
 * Contract follow-ups and repurchase reminders: their schedulers (checkpointed log subscribers run
 * by the projection engine, one owner across processes) queue delayed jobs, and BullMQ workers run
 * each job when due, as commands on the customer's and the owner's streams.
 */
@Injectable()
export class FollowUps implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('FollowUps');
  private readonly prefix: string;
  private readonly followUpQueue: Queue<FollowUpJob>;
  private readonly repurchaseQueue: Queue<RepurchaseJob>;
  private readonly schedulers: ProjectionSupervisor;
  private workers: Worker[] = [];

  constructor(
    private readonly redis: RedisConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(FOLLOW_UP_TIMING) timing: FollowUpTiming,
  ) {
    this.prefix = queuePrefix(config.databaseUrl);
    this.followUpQueue = this.queue<FollowUpJob>(FOLLOW_UP_QUEUE);
    this.repurchaseQueue = this.queue<RepurchaseJob>(REPURCHASE_QUEUE);
    const ready = () => redis.producerReady;
    this.schedulers = new ProjectionSupervisor(store, pool, [followUpScheduler(this.followUpQueue, ready, timing), repurchaseScheduler(this.repurchaseQueue, ready, timing)], {
      batchSize: config.projectorBatchSize,
      log: (message) => this.logger.log(message),
      logError: (message, error) => this.logger.error(message, error instanceof Error ? error.stack : String(error)),
    });
  }

  onApplicationBootstrap(): void {
    this.workers = [
      this.worker<FollowUpJob>(FOLLOW_UP_QUEUE, (job) => runFollowUp(this.store, job.id as string, job.data)),
      this.worker<RepurchaseJob>(REPURCHASE_QUEUE, (job) => runRepurchaseReminder(this.store, job.id as string, job.data)),
    ];
    this.schedulers.start();
  }

  /** Before the runtime closes the event store and the pool the schedulers and jobs use. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.schedulers.stop();
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([this.followUpQueue.close(), this.repurchaseQueue.close()]);
  }

  private queue<T>(name: string): Queue<T> {
    const queue = new Queue<T>(name, { connection: this.redis.producer, prefix: this.prefix });
    queue.on('error', (error) => this.reportError(`${name} queue`, error));
    return queue;
  }

  private worker<T>(name: string, run: (job: Job<T, DueOutcome>) => Promise<DueOutcome>): Worker<T, DueOutcome> {
    const worker = new Worker<T, DueOutcome>(name, run, { connection: this.redis.client, prefix: this.prefix, concurrency: 4 });
    worker.on('completed', (job, result) => this.logger.debug(`${job.id}: ${JSON.stringify(result)}`));
    worker.on('failed', (job, error) => this.logger.warn(`${job?.id ?? `a ${name} job`} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`));
    worker.on('error', (error) => this.reportError(`${name} worker`, error));
    return worker;
  }

  /** While Redis is away every call fails; RedisConnection logs that outage once. */
  private reportError(what: string, error: Error): void {
    if (this.redis.reachableNow) this.logger.error(`${what}: ${error.message}`, error.stack);
  }
}
