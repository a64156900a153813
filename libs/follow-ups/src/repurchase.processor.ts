import type { CommandBus } from '@nestjs/cqrs';
import type { RepurchaseReminderDueData } from '#customers/domain';
import type { EventStore } from '#event-store';
import { runDueJob, type DueOutcome } from './due-job.js';
import { REPURCHASE_ORIGIN } from '#follow-ups/domain';
import type { RepurchaseJob } from './repurchase.jobs.js';

/** The actor of the events repurchase reminder jobs append. */
export const REPURCHASE_ACTOR = 'worker:repurchase-reminders';

/**
 * A reminder job's effect: `RecordRepurchaseReminder` on the customer's stream (refused once a
 * purchase has moved the expectation, and for an expected day already reminded), then a
 * `follow_up` task for the owner, due the day the reminder fell due.
 */
export function runRepurchaseReminder(bus: CommandBus, store: EventStore, jobId: string, job: RepurchaseJob): Promise<DueOutcome> {
  return runDueJob<RepurchaseReminderDueData>(bus, store, jobId, {
    actor: REPURCHASE_ACTOR,
    customerId: job.customerId,
    record: (taskId) => ({ type: 'RecordRepurchaseReminder', customerId: job.customerId, expectedOn: job.expectedOn, taskId, dueAt: job.dueAt }),
    task: ({ expectedOn, medianIntervalDays, dueAt }) => ({
      kind: 'follow_up',
      title: `Repurchase overdue: usually buys every ${medianIntervalDays} days, expected on ${expectedOn}`,
      dueOn: dueAt.slice(0, 10),
      origin: REPURCHASE_ORIGIN,
      assignedAt: dueAt,
    }),
  });
}
