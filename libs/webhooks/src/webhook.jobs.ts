import type { JobsOptions, Queue } from 'bullmq';

/** The BullMQ queue of webhook attempts (under the per-database prefix, see `queuePrefix` of #follow-ups). */
export const WEBHOOK_QUEUE = 'webhooks';

/** One attempt of one delivery; the delivery row says the rest. */
export interface WebhookJob {
  readonly deliveryId: string;
  /** Its attempt number, counted over every round: the job is stale once the delivery has moved past it. */
  readonly attempt: number;
}

/**
 * One job per attempt: adding it again (the pump after a NOTIFY, a sweep, Redis coming back) is a
 * no-op while BullMQ holds it. BullMQ ids may not contain `:`.
 */
export function webhookJobId(job: WebhookJob): string {
  return `webhook/${job.deliveryId}/${job.attempt}`;
}

/**
 * A job's attempts are for failures of the infrastructure (PostgreSQL, the event store), not of the
 * receiver, which are recorded as delivery attempts. A failed job is removed at once, so the pump
 * can add the same id again: a job that gave up never wedges its delivery.
 */
export function webhookJobOptions(job: WebhookJob, delayMs: number): JobsOptions {
  return {
    jobId: webhookJobId(job),
    delay: Math.max(Math.round(delayMs), 0),
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: { age: 3_600, count: 10_000 },
    removeOnFail: true,
  };
}

/** A job to add, and how long it waits (until its attempt is due). */
export interface ScheduledWebhookJob {
  readonly job: WebhookJob;
  readonly delayMs: number;
}

/** Adds the jobs in one call; ids BullMQ holds already are left as they are. */
export async function addWebhookJobs(queue: Queue<WebhookJob>, jobs: readonly ScheduledWebhookJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(jobs.map(({ job, delayMs }) => ({ name: 'webhook', data: job, opts: webhookJobOptions(job, delayMs) })));
}
