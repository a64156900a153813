import type { FollowUpConfig } from '#config';
import { delayedJobOptions, type ScheduledJobOptions } from './scheduled-jobs.js';

/** The BullMQ queue of contract follow-ups (under the per-database prefix, see `queuePrefix`). */
export const FOLLOW_UP_QUEUE = 'follow-ups';


const DAY_MS = 86_400_000;

/** What a follow-up job carries: enough to issue its commands without reading the scheduler's tables. */
export interface FollowUpJob {
  readonly customerId: string;
  readonly contractId: string;
  /** The contract revision that scheduled it (the one that last set the end date or lead time). */
  readonly contractRevision: number;
  readonly endsOn: string;
  readonly dueOn: string;
  /** ISO 8601: when it is due. */
  readonly dueAt: string;
}

/**
 * When follow-ups and reminders fall due. `dayMs` is the length of one day of a lead time or a
 * margin, and `now` the schedulers' clock: a day and `Date.now` in production; tests shorten the
 * day to a second and move the clock next to an end date, so a follow-up falls due within seconds.
 */
export interface FollowUpTiming extends FollowUpConfig {
  readonly dayMs: number;
  readonly now: () => number;
}

export function followUpTiming(config: FollowUpConfig): FollowUpTiming {
  return { ...config, dayMs: DAY_MS, now: Date.now };
}

/**
 * The job of one scheduling of one contract: the same contract revision due at the same moment
 * (epoch ms) always gets the same id, so adding it again (a replay of the log, a batch retried
 * after a crash) is a no-op while BullMQ keeps the job, and a new due moment (an owner of another
 * team) is a new job. BullMQ ids may not contain `:`; encoding keeps ids of any text apart.
 */
export function followUpJobId(customerId: string, contractId: string, contractRevision: number, dueAt: number): string {
  return `follow-up/${encodeURIComponent(customerId)}/${encodeURIComponent(contractId)}/${contractRevision}/${dueAt}`;
}

/** The moment a contract ends: the start (UTC) of its `endsOn` day. */
export function contractEndsAt(endsOn: string): number {
  return Date.parse(`${endsOn}T00:00:00.000Z`);
}

/** The lead that applies: the contract's own, else its owner's team's, else the default. */
export function leadDaysFor(timing: FollowUpTiming, contractLeadDays: number | null, ownerTeam: string | null): number {
  if (contractLeadDays !== null) return contractLeadDays;
  if (ownerTeam !== null && Object.hasOwn(timing.teamLeadDays, ownerTeam)) return timing.teamLeadDays[ownerTeam];
  return timing.leadDays;
}

/**
 * BullMQ options of a follow-up job due at `dueAt` for a contract ending at `endsAt`.
 *
 * A finished job is kept (completed or failed) until a day after the contract ends, not removed at
 * once: re-adding an id BullMQ still holds is a no-op, and a replay of the log after that skips the
 * contract as ended (the scheduler schedules nothing for a contract that has ended), so no replay
 * ever runs a follow-up twice. Failing that, its commands would still append nothing twice.
 */
export function followUpJobOptions(jobId: string, dueAt: number, endsAt: number, now: number): ScheduledJobOptions {
  return delayedJobOptions(jobId, dueAt, now, Math.max(endsAt - dueAt, 0) + DAY_MS);
}
