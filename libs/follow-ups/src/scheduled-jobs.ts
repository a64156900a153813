import type { JobsOptions, Queue } from 'bullmq';
import { RetryLaterError } from '#read-model-engine';

export type ScheduledJobOptions = JobsOptions & { readonly jobId: string };

/** A delayed job as a log subscriber wants it queued. */
export interface ScheduledJob<T> {
  readonly name: string;
  readonly data: T;
  readonly opts: ScheduledJobOptions;
}

/**
 * BullMQ options of a job due at `dueAt` (epoch ms; at once if past). A retried job's commands
 * append nothing twice (their ids derive from the job id), so failures are retried with backoff.
 * A finished job is kept `keepMs` after it finished, not removed at once: re-adding an id BullMQ
 * still holds is a no-op, which is what keeps a replay of the log from running it again.
 */
export function delayedJobOptions(jobId: string, dueAt: number, now: number, keepMs: number): ScheduledJobOptions {
  const keep = { age: Math.ceil(keepMs / 1000) };
  return { jobId, delay: Math.max(dueAt - now, 0), attempts: 8, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: keep, removeOnFail: keep };
}

/** What one subject's job was before a batch, and what it is to be after it (null: none). */
export interface JobChange<T> {
  readonly before: string | null;
  readonly after: ScheduledJob<T> | null;
}

/**
 * Brings the queue in line with a batch's changes: removes each replaced job, then adds each new
 * one. Job ids are deterministic and both calls idempotent, so a batch applied again (a crash
 * before its commit, a replay of the log) schedules nothing twice. Changes that keep the job id
 * need no call at all, so batches that move no job go through while Redis is away; those that do
 * throw a {@link RetryLaterError} then, and the engine applies the batch again later.
 */
export async function applyJobChanges<T>(queue: Queue<T>, isRedisReady: () => boolean, changes: readonly JobChange<T>[]): Promise<void> {
  const moved = changes.filter(({ before, after }) => before !== (after?.opts.jobId ?? null));
  if (moved.length === 0) return;
  await redis(isRedisReady, async () => {
    // Removing before adding: a replaced job must not run.
    await Promise.all(moved.flatMap(({ before }) => (before === null ? [] : [queue.remove(before)])));
    const added = moved.flatMap(({ after }) => (after === null ? [] : [after]));
    // BullMQ's own typing of job names is stricter than a queue of one data type needs.
    if (added.length > 0) await queue.addBulk(added as Parameters<Queue<T>['addBulk']>[0]);
  });
}

/**
 * Runs queue calls, turning Redis being away into a {@link RetryLaterError}. The client fails
 * fast while disconnected (no offline queue), so the batch's transaction is not held open; a
 * timeout covers a connection that hangs instead of failing.
 */
async function redis(isRedisReady: () => boolean, calls: () => Promise<void>): Promise<void> {
  if (!isRedisReady()) throw new RetryLaterError('Redis is unreachable');
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      calls(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RetryLaterError('Redis did not answer within 10 s')), 10_000);
      }),
    ]);
  } catch (error) {
    // A call failing while the connection is up is a fault of its own (reported, not retried).
    if (error instanceof RetryLaterError || isRedisReady()) throw error;
    throw new RetryLaterError(`Redis is unreachable (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
