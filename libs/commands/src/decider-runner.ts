import { assertRuledTexts, fold, type Decider } from '#domain';
import {
  StreamErasedError,
  WrongExpectedRevisionError,
  eventIdFor,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from '#event-store';
import type { CommandContext } from './command-context.js';

export interface CommandOutcome {
  /** The stream's revision after the command. */
  readonly revision: number;
  /** Global position of the command's last event: what a read-your-writes query waits for. */
  readonly position: Position;
}

/** The shape every domain event has on the decider side; its data is JSON by the domain's contract. */
export interface DomainEvent {
  readonly type: string;
  readonly data: object;
}

export interface RunOptions {
  /** The schema version current code writes, per event type. */
  readonly schemaVersionOf: (type: string) => number;
  /** Attempts when another writer appends between our read and our append. */
  readonly maxAttempts?: number;
}

/**
 * A command's decided events as the store appends them: ids from the command id, its context as
 * metadata. Their text is checked against the product's rule whichever path built the command.
 */
export function toNewEvents(events: readonly DomainEvent[], context: CommandContext, schemaVersionOf: (type: string) => number): NewEvent[] {
  for (const event of events) assertRuledTexts(event.data);
  return events.map((event, index) => ({
    id: eventIdFor(context.commandId, index),
    type: event.type,
    schemaVersion: schemaVersionOf(event.type),
    data: event.data as JsonObject,
    metadata: { actor: context.actor, commandId: context.commandId, correlationId: context.correlationId, causationId: context.causationId },
  }));
}

/**
 * Load the stream, fold it, decide, append at the revision that was read. On a concurrent append
 * the whole cycle runs again against the new state (the decision may change), up to `maxAttempts`,
 * then the conflict reaches the caller (HTTP 409 with the current revision). A stream erased since it
 * was read refuses the data key the append needs: the cycle runs once more, and the decider, seeing
 * the erasure, refuses the command as it refuses any other.
 *
 * A command already in the stream (same command id, hence same first event id: a retry after a
 * crash or a lost response) returns its original outcome without deciding again, so a retried
 * "record purchase" answers its first result rather than "order already recorded".
 */
export async function runDecider<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  context: CommandContext,
  options: RunOptions,
): Promise<CommandOutcome> {
  const maxAttempts = options.maxAttempts ?? 5;
  const firstEventId = eventIdFor(context.commandId, 0);
  let erasedSinceRead = false;
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(streamId);
    const earlier = originalOutcome(history, firstEventId, context.commandId);
    if (earlier) return earlier;

    const state = fold(decider, history.map(asDomainEvent<E>));
    const events = decider.decide(command, state);
    // Deciders refuse a command that would change nothing (a rule violation); no event is a bug.
    if (events.length === 0) throw new Error(`a command on ${streamId} decided no event`);
    const expected = history.length === 0 ? 'no_stream' : history[history.length - 1].revision;
    try {
      return await store.append(streamId, toNewEvents(events, context, options.schemaVersionOf), expected);
    } catch (error) {
      if (error instanceof StreamErasedError && !erasedSinceRead) {
        erasedSinceRead = true;
        continue;
      }
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
    }
  }
}

function asDomainEvent<E extends DomainEvent>(event: RecordedEvent): E {
  // The log holds only events this domain wrote (upcast to their current version on read).
  return { type: event.type, data: event.data } as E;
}

function originalOutcome(history: readonly RecordedEvent[], firstEventId: string, commandId: string): CommandOutcome | null {
  const start = history.findIndex((event) => event.id === firstEventId);
  if (start < 0) return null;
  let last = history[start];
  for (const event of history.slice(start + 1)) {
    if (event.metadata.commandId !== commandId) break;
    last = event;
  }
  return { revision: last.revision, position: last.position };
}
