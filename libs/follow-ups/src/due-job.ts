import type { CommandBus } from '@nestjs/cqrs';
import { commandIdFor, ExecuteStreamCommand, type CommandContext } from '#commands';
import { CUSTOMER_STREAM_COMMANDS } from '#customers';
import { customerStream, type CustomerCommand } from '#customers/domain';
import { DomainError } from '#domain';
import type { EventStore } from '#event-store';
import { ExecuteRepCommand } from '#sales';
import type { AssignTask } from '#sales/domain';

/** What a job did: `refused` when the customer decider no longer wants it (terminated, rescheduled, bought since, erased...). */
export type DueOutcome =
  | { readonly outcome: 'refused'; readonly reason: string }
  | { readonly outcome: 'due' }
  | { readonly outcome: 'task-created'; readonly repId: string; readonly taskId: string }
  | { readonly outcome: 'task-refused'; readonly repId: string; readonly reason: string };

/** What the event recording that something fell due says of the owner's task. */
interface DueData {
  readonly repId?: string;
  readonly taskId?: string;
}

/** The steps of a job whose effect is "it fell due, and the customer's owner has a task for it". */
export interface DueJob<D extends DueData> {
  /** The actor of the events the job appends. */
  readonly actor: string;
  readonly customerId: string;
  /** The customer command recording that it fell due, given the id the owner's task is to get. */
  record(taskId: string): CustomerCommand;
  /** The owner's task, from the event as recorded. */
  task(data: D): Pick<AssignTask, 'kind' | 'title' | 'dueOn' | 'origin' | 'assignedAt'>;
}

/**
 * A due job's effect, as commands: `record` on the customer's stream, then, when the event names
 * the owner (the customer has one), `AssignTask` on the owner's stream. Command ids, and so event
 * ids and the task id, derive from the job id: a retried job (a crash between the two appends, a
 * lost acknowledgement) finds its commands already in the log and appends nothing twice. Both go
 * through the CommandBus, as every command does.
 */
export async function runDueJob<D extends DueData>(bus: CommandBus, store: EventStore, jobId: string, job: DueJob<D>): Promise<DueOutcome> {
  const context = (step: string): CommandContext => {
    const commandId = commandIdFor(job.actor, `${jobId}#${step}`);
    return { commandId, correlationId: commandIdFor(job.actor, jobId), causationId: commandId, actor: job.actor };
  };
  const stream = customerStream(job.customerId);
  let revision: number;
  try {
    const record = job.record(commandIdFor(job.actor, `${jobId}#task-id`));
    ({ revision } = await bus.execute(new ExecuteStreamCommand(CUSTOMER_STREAM_COMMANDS, record, context('due'))));
  } catch (error) {
    if (error instanceof DomainError) return { outcome: 'refused', reason: error.reason };
    throw error;
  }
  // The event as recorded (on a retry, as the first attempt recorded it): whom it names.
  const [due] = await store.readStream(stream, { fromRevision: revision, limit: 1 });
  const data = due.data as unknown as D;
  const { repId, taskId } = data;
  if (repId === undefined || taskId === undefined) return { outcome: 'due' };
  try {
    await bus.execute(new ExecuteRepCommand({ type: 'AssignTask', repId, taskId, customerId: job.customerId, ...job.task(data) }, context('task')));
  } catch (error) {
    // The owner cannot take it (never onboarded, deactivated): it stays due, without a task.
    if (error instanceof DomainError) return { outcome: 'task-refused', repId, reason: error.reason };
    throw error;
  }
  return { outcome: 'task-created', repId, taskId };
}
