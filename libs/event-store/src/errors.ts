import type { ExpectedRevision } from './event-store.port.js';

/** The stream is not where the writer expected it: someone else appended first (HTTP 409). */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or `null` when it does not exist. */
    readonly actual: number | null,
  ) {
    super(
      `stream ${streamId}: expected ${typeof expected === 'number' ? `revision ${expected}` : expected}, ` +
        `but it is ${actual === null ? 'absent' : `at revision ${actual}`}`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * Some of the appended event ids are already in the log, but not as exactly this append
 * (other ids beside them, or another stream): not a retry, and not safe to write.
 */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
  ) {
    super(`stream ${streamId}: event ids already recorded elsewhere or partially: ${eventIds.join(', ')}`);
    this.name = 'DuplicateEventIdError';
  }
}

/** The store cannot be reached (server down, connection refused, timeout). */
export class EventStoreUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`event store unavailable: ${detail}`, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/**
 * The stream's person was erased for good (its keys sealed): nothing personal may be written to it
 * again. A command that read the stream before the erasure gets this instead of a new key.
 */
export class StreamErasedError extends Error {
  constructor(readonly streamId: string) {
    super(`stream ${streamId}: its personal data was erased, nothing personal can be written to it`);
    this.name = 'StreamErasedError';
  }
}
