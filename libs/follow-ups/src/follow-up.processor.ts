import { commandIdFor, runDecider, type CommandContext } from '#commands';
import { DomainError, customerDecider, customerStream, repDecider, repStream, schemaVersionOf, type FollowUpDueData } from '#domain';
import type { EventStore } from '#event-store';
import { FOLLOW_UP_ORIGIN, type FollowUpJob } from './follow-up.jobs.js';

/** The actor of the events follow-up jobs append. */
export const FOLLOW_UP_ACTOR = 'worker:follow-ups';

/** What a job did: `refused` when the customer decider no longer wants it (terminated, rescheduled, erased...). */
export type FollowUpOutcome =
  | { readonly outcome: 'refused'; readonly reason: string }
  | { readonly outcome: 'due' }
  | { readonly outcome: 'task-created'; readonly repId: string; readonly taskId: string }
  | { readonly outcome: 'task-refused'; readonly repId: string; readonly reason: string };

/**
 * A follow-up job's effect, as commands: `RecordFollowUpDue` on the customer's stream, then, when
 * the customer has an owner, `AssignTask` (kind follow_up) on the owner's stream. Command ids, and
 * so event ids and the task id, derive from the job id: a retried job (a crash between the two
 * appends, a lost acknowledgement) finds its commands already in the log and appends nothing twice.
 */
export async function runFollowUp(store: EventStore, jobId: string, job: FollowUpJob): Promise<FollowUpOutcome> {
  const context = (step: string): CommandContext => {
    const commandId = commandIdFor(FOLLOW_UP_ACTOR, `${jobId}#${step}`);
    return { commandId, correlationId: commandIdFor(FOLLOW_UP_ACTOR, jobId), causationId: commandId, actor: FOLLOW_UP_ACTOR };
  };
  const stream = customerStream(job.customerId);
  let revision: number;
  try {
    ({ revision } = await runDecider(
      store,
      customerDecider,
      stream,
      {
        type: 'RecordFollowUpDue',
        customerId: job.customerId,
        contractId: job.contractId,
        contractRevision: job.contractRevision,
        dueOn: job.dueOn,
        taskId: commandIdFor(FOLLOW_UP_ACTOR, `${jobId}#task-id`),
        dueAt: job.dueAt,
      },
      context('due'),
      { schemaVersionOf },
    ));
  } catch (error) {
    if (error instanceof DomainError) return { outcome: 'refused', reason: error.reason };
    throw error;
  }
  // The event as recorded (on a retry, as the first attempt recorded it): whom it names.
  const [due] = await store.readStream(stream, { fromRevision: revision, limit: 1 });
  const { repId, taskId, contractId, endsOn, dueOn } = due.data as unknown as FollowUpDueData;
  if (repId === undefined || taskId === undefined) return { outcome: 'due' };
  try {
    await runDecider(
      store,
      repDecider,
      repStream(repId),
      {
        type: 'AssignTask',
        repId,
        taskId,
        kind: 'follow_up',
        title: `Follow up before contract ${contractId} ends on ${endsOn}`,
        customerId: job.customerId,
        dueOn,
        origin: FOLLOW_UP_ORIGIN,
        assignedAt: job.dueAt,
      },
      context('task'),
      { schemaVersionOf },
    );
  } catch (error) {
    // The owner cannot take it (never onboarded, deactivated): the follow-up stays due, without a task.
    if (error instanceof DomainError) return { outcome: 'task-refused', repId, reason: error.reason };
    throw error;
  }
  return { outcome: 'task-created', repId, taskId };
}
