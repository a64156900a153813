import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type pg from 'pg';
import type { AppConfig } from '#config';
import type { EventStore } from '#event-store';
import { FOLLOW_UP_QUEUE, followUpScheduler, queuePrefix, runFollowUp, type FollowUpJob, type FollowUpOutcome, type FollowUpTiming } from '#follow-ups';
import { ProjectionSupervisor } from '#projections';
import { APP_CONFIG, EVENT_STORE, PG_POOL } from '#runtime';
import { RedisConnection } from './redis-connection.js';

/** The clock and lead unit follow-ups are scheduled by (a day and `Date.now`; tests shorten both). */
export const FOLLOW_UP_TIMING = Symbol('FOLLOW_UP_TIMING');

/**
 * Contract follow-ups: the scheduler (a checkpointed log subscriber run by the projection engine,
 * one owner across processes) queues a delayed job per contract, and a BullMQ worker runs each job
 * when due, as commands on the customer's and the owner's streams.
 */
@Injectable()
export class FollowUps implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('FollowUps');
  private readonly prefix: string;
  private readonly queue: Queue<FollowUpJob>;
  private readonly scheduler: ProjectionSupervisor;
  private worker?: Worker<FollowUpJob, FollowUpOutcome>;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(FOLLOW_UP_TIMING) timing: FollowUpTiming,
  ) {
    this.prefix = queuePrefix(config.databaseUrl);
    this.queue = new Queue<FollowUpJob>(FOLLOW_UP_QUEUE, { connection: redis.producer, prefix: this.prefix });
    this.queue.on('error', (error) => this.reportError('follow-up queue', error));
    this.scheduler = new ProjectionSupervisor(store, pool, [followUpScheduler(this.queue, () => redis.producerReady, timing)], {
      batchSize: config.projectorBatchSize,
      log: (message) => this.logger.log(message),
      logError: (message, error) => this.logger.error(message, error instanceof Error ? error.stack : String(error)),
    });
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<FollowUpJob, FollowUpOutcome>(FOLLOW_UP_QUEUE, (job) => runFollowUp(this.store, job.id as string, job.data), {
      connection: this.redis.client,
      prefix: this.prefix,
      concurrency: 4,
    });
    this.worker.on('completed', (job, result) => this.logger.debug(`${job.id}: ${JSON.stringify(result)}`));
    this.worker.on('failed', (job, error) => this.logger.warn(`${job?.id ?? 'a follow-up job'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`));
    this.worker.on('error', (error) => this.reportError('follow-up worker', error));
    this.scheduler.start();
  }

  /** Before the runtime closes the event store and the pool the scheduler and jobs use. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
    await this.worker?.close();
    await this.queue.close();
  }

  /** While Redis is away every call fails; RedisConnection logs that outage once. */
  private reportError(what: string, error: Error): void {
    if (this.redis.reachableNow) this.logger.error(`${what}: ${error.message}`, error.stack);
  }
}
