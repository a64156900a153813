import { randomUUID } from 'node:crypto';
import { customerStream, type CustomerEvent } from '#domain';
import type { JsonObject, RecordedEvent } from '#event-store';

let lastPosition = 0n;

/**
 * Events of one customer stream as the store would record them (revisions from 0, increasing
 * positions across all streams), for feeding projections without a log.
 */
export function recordedCustomerEvents(customerId: string, defaultRecordedAt: () => Date = () => new Date()) {
  let revision = 0;
  return (event: CustomerEvent, recordedAt = defaultRecordedAt()): RecordedEvent => {
    lastPosition += 1n;
    return {
      id: randomUUID(),
      streamId: customerStream(customerId),
      revision: revision++,
      position: { major: lastPosition, minor: lastPosition },
      type: event.type,
      schemaVersion: 1,
      data: event.data as unknown as JsonObject,
      metadata: { actor: 'test-service', commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), recordedAt },
    };
  };
}
