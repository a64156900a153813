import { randomUUID } from 'node:crypto';
import { customerStream, type CustomerEvent } from '#customers/domain';
import type { JsonObject, RecordedEvent } from '#event-store';

/** An event as a context's decider makes it, before the store records it. */
interface UnrecordedEvent {
  readonly type: string;
  readonly data: object;
}

// Shared by every stream of the test file, as the log's positions are.
let lastPosition = 0n;

/**
 * Events of one stream as the store would record them (revisions from 0, increasing positions
 * across all streams), for feeding projections without a log. `E` narrows the events accepted
 * to one context's (`recordedEvents<RepEvent>(repStream(id))`).
 */
export function recordedEvents<E extends UnrecordedEvent = UnrecordedEvent>(streamId: string, defaultRecordedAt: () => Date = () => new Date()) {
  let revision = 0;
  return (event: E, recordedAt = defaultRecordedAt()): RecordedEvent => {
    lastPosition += 1n;
    return {
      id: randomUUID(),
      streamId,
      revision: revision++,
      position: { major: lastPosition, minor: lastPosition },
      type: event.type,
      schemaVersion: 1,
      data: event.data as JsonObject,
      metadata: { actor: 'test-service', commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), recordedAt },
    };
  };
}

/** {@link recordedEvents} of the customer's stream. */
export function recordedCustomerEvents(customerId: string, defaultRecordedAt?: () => Date) {
  return recordedEvents<CustomerEvent>(customerStream(customerId), defaultRecordedAt);
}
