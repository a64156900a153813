import { sql } from 'kysely';
import type pg from 'pg';
import type { WebhookConfig } from '#config';
import type { EventStore } from '#event-store';
import { webhookBody } from './webhook.body.js';
import { classifyAttempt, nextStep, type AttemptOutcome, type SendResult } from './webhook.delivery.js';
import type { ScheduledWebhookJob, WebhookJob } from './webhook.jobs.js';
import { disableSubscription, lockLanes, promoteLaneHead, webhookDb, type WebhookDb } from './webhook.outbox.js';
import { sendWebhook } from './webhook.sender.js';
import { signWebhook, WEBHOOK_HEADERS } from './webhook.signature.js';

/** What a job did: `stale` when its delivery had moved past its attempt (or was never queued for it): nothing sent. */
export type WebhookJobOutcome = { readonly outcome: 'stale' } | { readonly outcome: AttemptOutcome; readonly result: SendResult };

/** The delivery a job attempts, with its subscription. */
interface Target {
  readonly id: string;
  readonly subscriptionId: string;
  readonly url: string;
  readonly secret: string;
  readonly eventId: string;
  readonly streamId: string;
  readonly streamRevision: number;
}

/**
 * Runs one attempt of one delivery (a BullMQ job): reads the event back from the log (so the body
 * carries what the log holds now, erasures included), signs and POSTs it, then records the attempt
 * and the delivery's next step in one transaction, and adds the jobs of whatever that queued
 * (`enqueue`, after the commit; best effort, the pump covers a failure).
 *
 * At least once: a crash between the request and the commit leaves the delivery at that attempt,
 * and the job runs again (BullMQ's stalled-job recovery, or the pump). Errors of PostgreSQL or the
 * event store fail the job, which BullMQ retries; they are no delivery attempts.
 */
export class WebhookProcessor {
  private readonly db: WebhookDb;
  private readonly stopping = new AbortController();

  constructor(
    pool: pg.Pool,
    private readonly store: EventStore,
    private readonly config: WebhookConfig,
    private readonly enqueue: (jobs: readonly ScheduledWebhookJob[]) => Promise<void>,
  ) {
    this.db = webhookDb(pool);
  }

  async process(job: WebhookJob): Promise<WebhookJobOutcome> {
    const target = await this.target(job);
    if (target === null) return { outcome: 'stale' };
    const [event] = await this.store.readStream(target.streamId, { fromRevision: target.streamRevision, limit: 1 });
    if (event?.id !== target.eventId) throw new Error(`event ${target.eventId} is not at ${target.streamId}@${target.streamRevision} in the log`);

    const body = JSON.stringify(webhookBody(event));
    const startedAt = new Date();
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'crm-webhooks/1',
      [WEBHOOK_HEADERS.eventId]: target.eventId,
      [WEBHOOK_HEADERS.deliveryId]: target.id,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: signWebhook(target.secret, timestamp, body),
    };
    const result = await sendWebhook({ url: target.url, headers, body }, this.config.timeoutMs, this.stopping.signal);
    const outcome = classifyAttempt(result);
    const queued = await this.record(target, job.attempt, outcome, result, startedAt, Date.now() - startedAt.getTime());
    if (queued === null) return { outcome: 'stale' };
    await this.enqueue(queued);
    return { outcome, result };
  }

  /** The worker stops: requests under way are abandoned (failed attempts, retried with backoff), none is sent any more. */
  stop(): void {
    this.stopping.abort();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** The delivery, if it is queued for exactly this attempt of an active subscription. */
  private async target(job: WebhookJob): Promise<Target | null> {
    const row = await this.db
      .selectFrom('webhooks.deliveries as d')
      .innerJoin('webhooks.subscriptions as s', 's.id', 'd.subscription_id')
      .select(['d.id', 'd.status', 'd.attempts', 'd.event_id', 'd.stream_id', 'd.stream_revision', 's.id as subscription_id', 's.url', 's.secret', 's.status as subscription_status'])
      .where('d.id', '=', job.deliveryId)
      .executeTakeFirst();
    if (row === undefined || row.status !== 'queued' || row.attempts + 1 !== job.attempt || row.subscription_status !== 'active') return null;
    return {
      id: row.id,
      subscriptionId: row.subscription_id,
      url: row.url,
      secret: row.secret,
      eventId: row.event_id,
      streamId: row.stream_id,
      streamRevision: row.stream_revision,
    };
  }

  /**
   * The attempt and the delivery's next step, in one transaction; the jobs to add after it commits,
   * or null when another run of the same job recorded this attempt first. A delivery cancelled while
   * the request was out keeps its status; the attempt is still recorded.
   */
  private async record(
    target: Target,
    attempt: number,
    outcome: AttemptOutcome,
    result: SendResult,
    startedAt: Date,
    durationMs: number,
  ): Promise<ScheduledWebhookJob[] | null> {
    const statusCode = 'statusCode' in result ? result.statusCode : null;
    const error = 'error' in result ? result.error : null;
    return this.db.transaction().execute(async (trx) => {
      // A 410 disables the subscription and cancels its unfinished deliveries, this one included.
      if (outcome === 'gone') await disableSubscription(trx, target.subscriptionId, 'gone');
      else await trx.selectFrom('webhooks.subscriptions').select('id').where('id', '=', target.subscriptionId).forShare().execute();
      await lockLanes(trx, [target]);
      const row = await trx
        .selectFrom('webhooks.deliveries')
        .select(['status', 'attempts', 'round_start'])
        .where('id', '=', target.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (row.attempts + 1 !== attempt) return null;
      await trx
        .insertInto('webhooks.delivery_attempts')
        .values({ delivery_id: target.id, attempt, started_at: startedAt, duration_ms: durationMs, status_code: statusCode, error, outcome })
        .execute();
      const recorded = { attempts: attempt, last_status_code: statusCode, last_error: error };
      const delivery = trx.updateTable('webhooks.deliveries').where('id', '=', target.id);
      if (row.status !== 'queued') {
        await delivery.set(recorded).execute();
        return [];
      }
      const step = nextStep(outcome, attempt, row.round_start, this.config);
      if (step.status === 'queued') {
        await delivery
          .set({ ...recorded, next_attempt_at: sql<Date>`now() + ${step.retryInMs} * interval '1 millisecond'`, enqueued_attempt: attempt + 1 })
          .execute();
        return [{ job: { deliveryId: target.id, attempt: attempt + 1 }, delayMs: step.retryInMs }];
      }
      await delivery.set({ ...recorded, status: step.status, finished_at: sql<Date>`now()`, next_attempt_at: null }).execute();
      const next = await promoteLaneHead(trx, target.subscriptionId, target.streamId);
      return next === null ? [] : [{ job: next, delayMs: 0 }];
    });
  }
}
