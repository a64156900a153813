import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue, Worker } from 'bullmq';
import type pg from 'pg';
import { APP_CONFIG, engineLogs, EVENT_STORE, PG_POOL, RedisConnection } from '#providers';
import type { AppConfig } from '#config';
import type { EventStore } from '#event-store';
import { ProjectionSupervisor } from '#read-model-engine';
import { addWebhookJobs, WEBHOOK_QUEUE, type ScheduledWebhookJob, type WebhookJob } from './webhook.jobs.js';
import { webhookDispatcher } from './webhook.dispatcher.js';
import { WebhookProcessor, type WebhookJobOutcome } from './webhook.processor.js';
import { WebhookPump } from './webhook.pump.js';

/**
 * Outbound webhooks: the dispatcher (a checkpointed log subscriber run by the projection engine,
 * one owner across processes) records deliveries in PostgreSQL; the pump gives the lanes' heads
 * BullMQ jobs; a BullMQ worker attempts each one and records its outcome.
 */
@Injectable()
export class Webhooks implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly queue: Queue<WebhookJob>;
  private readonly dispatcher: ProjectionSupervisor;
  private readonly pump: WebhookPump;
  private readonly processor: WebhookProcessor;
  private worker?: Worker<WebhookJob, WebhookJobOutcome>;
  private readonly redisReady = () => this.pump.redisReady();

  constructor(
    private readonly redis: RedisConnection,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = redis.queue<WebhookJob>(WEBHOOK_QUEUE, this.logger);
    const logs = engineLogs(this.logger);
    this.dispatcher = new ProjectionSupervisor(store, pool, [webhookDispatcher()], { batchSize: config.projectorBatchSize, ...logs });
    this.pump = new WebhookPump(pool, config.databaseUrl, this.queue, () => redis.producerReady, logs);
    this.processor = new WebhookProcessor(pool, store, config.webhooks, (jobs) => this.enqueue(jobs));
  }

  onApplicationBootstrap(): void {
    this.worker = this.redis.worker<WebhookJob, WebhookJobOutcome>(WEBHOOK_QUEUE, (job) => this.processor.process(job.data), 8, this.logger);
    // A Redis that comes back may have lost every job (restarted without persistence): the pump adds them all again.
    this.redis.producer.on('ready', this.redisReady);
    this.dispatcher.start();
    this.pump.start();
  }

  /** Before the runtime closes the event store and the pool they use. */
  async beforeApplicationShutdown(): Promise<void> {
    this.redis.producer.off('ready', this.redisReady);
    // Requests under way are abandoned, not waited for: recorded as failed attempts, retried with backoff.
    this.processor.stop();
    await Promise.all([this.dispatcher.stop(), this.pump.stop(), this.worker?.close()]);
    await this.queue.close();
    await this.processor.close();
  }

  /** After an attempt commits: the jobs of what it queued. Should Redis fail here, the pump's sweep adds them. */
  private async enqueue(jobs: readonly ScheduledWebhookJob[]): Promise<void> {
    try {
      await addWebhookJobs(this.queue, jobs);
    } catch (error) {
      this.redis.reportError(this.logger, 'adding webhook jobs', error instanceof Error ? error : new Error(String(error)));
    }
  }
}
