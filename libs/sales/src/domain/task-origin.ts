import { repIdOfStream } from './rep.stream.js';
import { toRepEvent } from './rep.events.js';

/**
 * The customer and task of a rep's TaskAssigned with `origin` (a task a job gave a customer's
 * owner, such as a contract follow-up), if the event is one: read models that show how far a
 * job got match it by the task id the customer's event named.
 */
export function originTask(event: { readonly streamId: string; readonly type: string; readonly data: object }, origin: string): { readonly customerId: string; readonly taskId: string } | undefined {
  if (repIdOfStream(event.streamId) === undefined) return undefined;
  const repEvent = toRepEvent(event);
  if (repEvent?.type !== 'TaskAssigned' || repEvent.data.origin !== origin || repEvent.data.customerId === undefined) return undefined;
  return { customerId: repEvent.data.customerId, taskId: repEvent.data.taskId };
}
