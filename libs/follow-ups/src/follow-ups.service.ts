import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Queue, Worker } from 'bullmq';
import type pg from 'pg';
import { APP_CONFIG, engineLogs, EVENT_STORE, PG_POOL, RedisConnection } from '#providers';
import type { AppConfig } from '#config';
import type { EventStore } from '#event-store';
import { ProjectionSupervisor } from '#read-model-engine';
import { FOLLOW_UP_QUEUE, type FollowUpJob, type FollowUpTiming } from './follow-up.jobs.js';
import { REPURCHASE_QUEUE, type RepurchaseJob } from './repurchase.jobs.js';
import { followUpScheduler } from './follow-up.scheduler.js';
import { repurchaseScheduler } from './repurchase.scheduler.js';
import { runFollowUp } from './follow-up.processor.js';
import { runRepurchaseReminder } from './repurchase.processor.js';
import type { DueOutcome } from './due-job.js';

/** The clock and day length follow-ups and reminders are scheduled by (a day and `Date.now`; tests shorten both). */
export const FOLLOW_UP_TIMING = Symbol('FOLLOW_UP_TIMING');

/**
 * Contract follow-ups and repurchase reminders: their schedulers (checkpointed log subscribers run
 * by the projection engine, one owner across processes) queue delayed jobs, and BullMQ workers run
 * each job when due, as commands (through the CommandBus) on the customer's and the owner's streams.
 */
@Injectable()
export class FollowUps implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('FollowUps');
  private readonly followUpQueue: Queue<FollowUpJob>;
  private readonly repurchaseQueue: Queue<RepurchaseJob>;
  private readonly schedulers: ProjectionSupervisor;
  private workers: Pick<Worker, 'close'>[] = [];

  constructor(
    private readonly redis: RedisConnection,
    private readonly commandBus: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(FOLLOW_UP_TIMING) timing: FollowUpTiming,
  ) {
    this.followUpQueue = redis.queue<FollowUpJob>(FOLLOW_UP_QUEUE, this.logger);
    this.repurchaseQueue = redis.queue<RepurchaseJob>(REPURCHASE_QUEUE, this.logger);
    const ready = () => redis.producerReady;
    this.schedulers = new ProjectionSupervisor(store, pool, [followUpScheduler(this.followUpQueue, ready, timing), repurchaseScheduler(this.repurchaseQueue, ready, timing)], {
      batchSize: config.projectorBatchSize,
      ...engineLogs(this.logger),
    });
  }

  onApplicationBootstrap(): void {
    this.workers = [
      this.redis.worker<FollowUpJob, DueOutcome>(FOLLOW_UP_QUEUE, (job) => runFollowUp(this.commandBus, this.store, job.id as string, job.data), 4, this.logger),
      this.redis.worker<RepurchaseJob, DueOutcome>(REPURCHASE_QUEUE, (job) => runRepurchaseReminder(this.commandBus, this.store, job.id as string, job.data), 4, this.logger),
    ];
    this.schedulers.start();
  }

  /** Before the runtime closes the event store and the pool the schedulers and jobs use. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.schedulers.stop();
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([this.followUpQueue.close(), this.repurchaseQueue.close()]);
  }
}
