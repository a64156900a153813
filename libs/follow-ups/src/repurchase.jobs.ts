import type { FollowUpTiming } from './follow-up.jobs.js';
import { delayedJobOptions, type ScheduledJobOptions } from './scheduled-jobs.js';

/** The BullMQ queue of repurchase reminders (under the per-database prefix, see `queuePrefix`). */
export const REPURCHASE_QUEUE = 'repurchase-reminders';


/** What a reminder job carries: enough to issue its commands without reading the scheduler's tables. */
export interface RepurchaseJob {
  readonly customerId: string;
  /** The day the customer's next purchase was expected on when the job was scheduled. */
  readonly expectedOn: string;
  /** ISO 8601: when it is due. */
  readonly dueAt: string;
}

// Finished reminders are kept a month, so replays within it re-add ids BullMQ still holds (no-ops);
// after that a replayed reminder runs and the customer decider refuses it as already reminded.
const KEEP_MS = 30 * 86_400_000;

/** One reminder per customer and expected day: the same expectation always gets the same id. */
export function repurchaseJobId(customerId: string, expectedOn: string): string {
  return `repurchase/${encodeURIComponent(customerId)}/${expectedOn}`;
}

/** When the reminder of a purchase expected on `expectedOn` falls due: the margin after the start (UTC) of that day. */
export function repurchaseDueAt(timing: FollowUpTiming, expectedOn: string): number {
  return Date.parse(`${expectedOn}T00:00:00.000Z`) + timing.repurchaseMarginDays * timing.dayMs;
}

export function repurchaseJobOptions(jobId: string, dueAt: number, now: number): ScheduledJobOptions {
  return delayedJobOptions(jobId, dueAt, now, KEEP_MS);
}
