import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type pg from 'pg';
import type { AppConfig } from '#config';
import type { EventStore } from '#event-store';
import { queuePrefix } from '#follow-ups';
import { ProjectionSupervisor } from '#projections';
import { APP_CONFIG, EVENT_STORE, PG_POOL } from '#runtime';
import {
  addWebhookJobs,
  WEBHOOK_QUEUE,
  webhookDispatcher,
  WebhookProcessor,
  WebhookPump,
  type ScheduledWebhookJob,
  type WebhookJob,
  type WebhookJobOutcome,
} from '#webhooks';
import { RedisConnection } from './redis-connection.js';

/**
 * Outbound webhooks: the dispatcher (a checkpointed log subscriber run by the projection engine,
 * one owner across processes) records deliveries in PostgreSQL; the pump gives the lanes' heads
 * BullMQ jobs; a BullMQ worker attempts each one and records its outcome.
 */
@Injectable()
export class Webhooks implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly prefix: string;
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
    this.prefix = queuePrefix(config.databaseUrl);
    this.queue = new Queue<WebhookJob>(WEBHOOK_QUEUE, { connection: redis.producer, prefix: this.prefix });
    this.queue.on('error', (error) => this.reportError('webhook queue', error));
    const log = (message: string) => this.logger.log(message);
    const logError = (message: string, error: unknown) => this.logger.error(message, error instanceof Error ? error.stack : String(error));
    this.dispatcher = new ProjectionSupervisor(store, pool, [webhookDispatcher()], { batchSize: config.projectorBatchSize, log, logError });
    this.pump = new WebhookPump(pool, config.databaseUrl, this.queue, () => redis.producerReady, { log, logError });
    this.processor = new WebhookProcessor(pool, store, config.webhooks, (jobs) => this.enqueue(jobs));
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<WebhookJob, WebhookJobOutcome>(WEBHOOK_QUEUE, (job) => this.processor.process(job.data), {
      connection: this.redis.client,
      prefix: this.prefix,
      concurrency: 8,
    });
    this.worker.on('completed', (job, result) => this.logger.debug(`${job.id}: ${JSON.stringify(result)}`));
    this.worker.on('failed', (job, error) => this.logger.warn(`${job?.id ?? 'a webhook job'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`));
    this.worker.on('error', (error) => this.reportError('webhook worker', error));
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
      this.reportError('adding webhook jobs', error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** While Redis is away every call fails; RedisConnection logs that outage once. */
  private reportError(what: string, error: Error): void {
    if (this.redis.reachableNow) this.logger.error(`${what}: ${error.message}`, error.stack);
  }
}
