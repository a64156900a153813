import type { JsonObject, NewEvent, RecordedEvent } from './event.js';
import type { Position } from './position.js';

/**
 * What the writer believes about the stream before appending:
 * - `any`: no check;
 * - `no_stream`: the stream must not exist yet;
 * - `stream_exists`: it must have at least one event;
 * - a number: its last event must be at exactly that revision.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last event appended (or of the original append, on an idempotent retry). */
  readonly revision: number;
  /** Global position of that event. */
  readonly position: Position;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /**
   * First revision to return (inclusive). Forwards: defaults to 0; backwards: defaults to the end,
   * and reading goes down from it.
   */
  readonly fromRevision?: number;
  /** Return nothing past this revision (inclusive), the stream as it was then. */
  readonly toRevision?: number;
  /** Return nothing recorded after this moment (inclusive): the stream as it was then. */
  readonly until?: Date;
  /** At most this many events. */
  readonly limit?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Defaults to the start of the log. */
  readonly from?: Position;
  /** Page size. */
  readonly limit?: number;
}

export interface LogPage {
  readonly events: RecordedEvent[];
  /** Where to continue from: the last event's position, or `from` when the page is empty. */
  readonly next: Position;
}

/**
 * An event as the log stores it, for checking it was not altered: data and metadata in their stored
 * JSON text (personal values still encrypted), with the hashes the store recorded (log-hash.ts).
 */
export interface LogEntry {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: Position;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
  readonly recordedAt: Date;
  /** `null`: stored without one (EventStoreDB events appended before hashes were recorded). */
  readonly hash: Buffer | null;
  readonly previousHash: Buffer | null;
}

export interface LogEntryPage {
  readonly entries: LogEntry[];
  /** Where to continue from: the last entry's position, or `from` when the page is empty. */
  readonly next: Position;
}

export interface SubscribeOptions {
  /** Exclusive: deliver events strictly after this position. Defaults to the start of the log. */
  readonly from?: Position;
  /** Ends the iteration (the iterator returns, it does not throw). */
  readonly signal?: AbortSignal;
}

/** The event log. Two adapters: PostgreSQL (embedded default) and EventStoreDB. */
export interface EventStore {
  /** Appends atomically, checking `expected`. Retrying with the same event ids returns the original result. */
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** A stream's events in revision order (or reverse); `[]` for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** The stream's last revision, or `null` when it does not exist. */
  streamRevision(streamId: string): Promise<number | null>;

  /** One page of the whole log, in log order, after `from`. Only committed events, each exactly once. */
  readAll(options?: ReadAllOptions): Promise<LogPage>;

  /** Like {@link readAll}, but each event as stored, untransformed, with its hashes: what verification recomputes. */
  readLogEntries(options?: ReadAllOptions): Promise<LogEntryPage>;

  /** The whole log from `from` onwards, then every new event as it is committed, until aborted. */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;

  /** Position of the last committed event, or `null` when the log is empty. */
  headPosition(): Promise<Position | null>;

  close(): Promise<void>;
}

export type { JsonObject, NewEvent, RecordedEvent };
