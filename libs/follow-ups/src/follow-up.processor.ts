import type { CommandBus } from '@nestjs/cqrs';
import type { FollowUpDueData } from '#customers/domain';
import type { EventStore } from '#event-store';
import { runDueJob, type DueOutcome } from './due-job.js';
import { FOLLOW_UP_ORIGIN } from '#follow-ups/domain';
import type { FollowUpJob } from './follow-up.jobs.js';

/** The actor of the events follow-up jobs append. */
export const FOLLOW_UP_ACTOR = 'worker:follow-ups';

/**
 * A follow-up job's effect: `RecordFollowUpDue` on the customer's stream (refused for a terminated
 * contract or a rescheduled revision), then a `follow_up` task for the owner.
 */
export function runFollowUp(bus: CommandBus, store: EventStore, jobId: string, job: FollowUpJob): Promise<DueOutcome> {
  return runDueJob<FollowUpDueData>(bus, store, jobId, {
    actor: FOLLOW_UP_ACTOR,
    customerId: job.customerId,
    record: (taskId) => ({
      type: 'RecordFollowUpDue',
      customerId: job.customerId,
      contractId: job.contractId,
      contractRevision: job.contractRevision,
      dueOn: job.dueOn,
      taskId,
      dueAt: job.dueAt,
    }),
    task: ({ contractId, endsOn, dueOn }) => ({
      kind: 'follow_up',
      title: `Follow up before contract ${contractId} ends on ${endsOn}`,
      dueOn,
      origin: FOLLOW_UP_ORIGIN,
      assignedAt: job.dueAt,
    }),
  });
}
