import { serializePosition, type JsonObject, type RecordedEvent } from '#event-store';

/**
 * What a receiver gets: the event as the log holds it now (personal fields of an erased person
 * read `{"$erased": true}`), with what identifies it and places it in its stream and in the log.
 * The actor and command id stay inside: they name API keys and internal requests.
 */
export interface WebhookBody {
  /** The event's id: receivers de-duplicate by it (delivery is at least once). */
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  /** Its place in its stream: a receiver may check it sees a stream's events in order. */
  readonly revision: number;
  /** Its place in the whole log (opaque, as commands answer it). */
  readonly position: string;
  /** ISO 8601. */
  readonly recordedAt: string;
  /** Ties the event to the request, and the other events, it came from. */
  readonly correlationId: string;
  readonly causationId: string;
  readonly data: JsonObject;
}

export function webhookBody(event: RecordedEvent): WebhookBody {
  return {
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    revision: event.revision,
    position: serializePosition(event.position),
    recordedAt: event.metadata.recordedAt.toISOString(),
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId,
    data: event.data,
  };
}
