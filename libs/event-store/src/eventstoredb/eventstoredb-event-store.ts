import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamRecordedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type AppendResult as EsdbAppendResult,
  type CurrentRevision,
  type Direction,
  type EventData,
  type Position as EsdbPosition,
  type ReadPosition,
  type ReadRevision,
  type RecordedEvent as EsdbRecordedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { DuplicateEventIdError, EventStoreUnavailableError, WrongExpectedRevisionError } from '../errors.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  LogEntry,
  LogEntryPage,
  LogPage,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
} from '../event-store.port.js';
import type { EventMetadata, JsonObject, JsonValue, NewEvent, RecordedEvent } from '../event.js';
import { GENESIS_HASH, eventHash } from '../log-hash.js';
import { START, comparePositions, type Position } from '../position.js';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://host:2113?tls=false` and the like (EVENTSTORE_URL). */
  readonly connectionString: string;
  /** Events per read when a stream or the log is read in pages. */
  readonly pageSize?: number;
}

/**
 * EventStoreDB has no field for a schema version: it rides in the event's metadata under this key.
 * `$`-keys are stripped from the metadata handed back to callers.
 */
const SCHEMA_VERSION = '$schemaVersion';
/**
 * The event's hash and the previous one's in its stream (hex; log-hash.ts), also in the metadata.
 *
 * What EventStoreDB itself guarantees: streams are append-only. Its API has no operation that
 * changes or replaces an event once written, and an append with a stale expected revision is
 * refused. History can still shrink, though: a stream can be deleted (soft: hidden, then removed by
 * a scavenge; hard: tombstoned for good), `$tb` (truncate-before), `$maxCount` and `$maxAge` in a
 * stream's metadata hide its older events and a scavenge then removes them, and whoever holds the
 * database files can rewrite them offline. The hashes and the sealer's signed checkpoints show all of that.
 */
const HASH = '$hash';
const PREVIOUS_HASH = '$previousHash';
/** How often an append of `any` or `stream_exists` reads the stream's end again when another writer came first. */
const MAX_APPEND_ATTEMPTS = 5;
/** Largest read used to step over system events in $all (they are skipped, not returned). */
const MAX_SCAN = 4_096;

type StoredEvent = EsdbRecordedEvent;

/**
 * The production event store: EventStoreDB through `@eventstore/db-client` (gRPC). Behaves like the
 * PostgreSQL adapter (same contract suite); system events (`$`-types, `$`-streams) are never returned.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  /** The connection string without credentials, for error messages. */
  private readonly target: string;
  private readonly pageSize: number;
  /** Ends every running subscription (their waits are not tied to the client's streams). */
  private readonly stopSubscriptions = new Set<() => void>();
  private closed = false;

  constructor(options: EventStoreDbEventStoreOptions | string) {
    const { connectionString, pageSize = 500 } = typeof options === 'string' ? { connectionString: options } : options;
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.target = connectionString.replace(/\/\/[^@/]*@/, '//');
    this.pageSize = pageSize;
  }

  /**
   * Each event carries its hash and the previous one's in its metadata ({@link HASH}), chained to the
   * stream's last event, which is read first (not for a new stream). The append then expects exactly
   * that revision, so nothing can slip in between: a caller's `any` or `stream_exists` that loses
   * that race reads again; a caller's own revision still fails as a conflict, as before.
   */
  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    const wanted = toExpectedRevision(expected);
    for (let attempt = 1; ; attempt++) {
      const [tail] = expected === 'no_stream' ? [] : await this.readStreamPage(streamId, BACKWARDS, END, 1);
      // A retry of an append already made: the server cannot tell once `any` became an exact revision.
      if (tail && events.some((event) => sameId(event.id, tail.id))) return this.resolveConflict(streamId, events, expected, undefined);
      if (expected === 'stream_exists' && !tail) throw new WrongExpectedRevisionError(streamId, expected, null);
      const exact = typeof expected === 'number' || expected === 'no_stream';
      const expectedRevision: AppendExpectedRevision = exact ? wanted : tail ? tail.revision : NO_STREAM;
      // With the caller's own revision the batch lands right after it, or not at all.
      const follows = typeof expected === 'number' ? (tail?.revision === BigInt(expected) ? tail : undefined) : tail;
      const first = typeof expected === 'number' ? expected + 1 : tail ? Number(tail.revision) + 1 : 0;
      let result: EsdbAppendResult;
      try {
        result = await this.client.appendToStream(streamId, chained(streamId, events, first, storedHash(follows) ?? GENESIS_HASH), {
          expectedRevision,
        });
      } catch (error) {
        if (!isWrongExpectedVersion(error)) throw this.translate(error);
        if (!exact && attempt < MAX_APPEND_ATTEMPTS) continue;
        return this.resolveConflict(streamId, events, expected, toActual(error.actualVersion));
      }
      // Only with `throwOnAppendFailure=false` in the connection string; its revision is unreliable.
      if (!result.success) return this.resolveConflict(streamId, events, expected, undefined);
      // A retry the server recognised answers with the original append's last revision and position.
      // Servers that cannot tell that position answer without one: look the original events up.
      if (result.position) {
        return { revision: Number(result.nextExpectedRevision), position: fromEsdbPosition(result.position) };
      }
      const original = await this.findAppended(streamId, events);
      if (original.kind === 'all') return original.result;
      throw new Error(`EventStoreDB acknowledged an append to ${streamId} without a position, but its events are not there`);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const { toRevision, limit = Infinity } = options;
    const until = options.until?.getTime();
    if (limit <= 0) return [];
    // Forwards: from `fromRevision` (0) up to `toRevision`. Backwards: down from the lower of the two
    // (undefined: the end of the stream).
    let cursor = backwards ? lowest(options.fromRevision, toRevision) : Math.max(0, options.fromRevision ?? 0);
    if (cursor !== undefined && cursor < 0) return [];
    if (!backwards && toRevision !== undefined && toRevision < (cursor ?? 0)) return [];

    const found: RecordedEvent[] = [];
    for (;;) {
      // Without `until` every event read is returned, so read exactly what is still wanted.
      const wanted = until === undefined ? limit - found.length : Infinity;
      // Events left in the revision range.
      const span = backwards ? (cursor ?? Infinity) + 1 : (toRevision ?? Infinity) - (cursor ?? 0) + 1;
      const count = Math.min(wanted, span, this.pageSize);
      const from: ReadRevision = cursor === undefined ? END : BigInt(cursor);
      const page = await this.readStreamPage(streamId, backwards ? BACKWARDS : FORWARDS, from, count);
      for (const event of page) {
        if (until !== undefined && event.created.getTime() > until) continue;
        found.push(toRecordedEvent(event, event.position));
        if (found.length >= limit) return found;
      }
      // A short page is the end of the stream (the server pages on until it has `count` events).
      if (page.length < count) return found;
      const last = Number(page[page.length - 1].revision);
      cursor = backwards ? last - 1 : last + 1;
      if (backwards ? cursor < 0 : toRevision !== undefined && cursor > toRevision) return found;
    }
  }

  async streamRevision(streamId: string): Promise<number | null> {
    const [last] = await this.readStreamPage(streamId, BACKWARDS, END, 1);
    return last ? Number(last.revision) : null;
  }

  async readAll(options: ReadAllOptions = {}): Promise<LogPage> {
    const { events, next } = await this.readAllStored(options);
    return { events: events.map((event) => toRecordedEvent(event, event.position)), next };
  }

  async readLogEntries(options: ReadAllOptions = {}): Promise<LogEntryPage> {
    const { events, next } = await this.readAllStored(options);
    return { entries: events.map(toLogEntry), next };
  }

  /**
   * $all's `fromPosition` is inclusive: an event exactly at `from` is skipped. System events are
   * skipped too; a page is only empty at the end of the log, and then `next` is `from`.
   */
  private async readAllStored(options: ReadAllOptions): Promise<{ events: AllStreamRecordedEvent[]; next: Position }> {
    const from = options.from ?? START;
    const limit = options.limit ?? this.pageSize;
    if (limit <= 0) return { events: [], next: from };
    const events: AllStreamRecordedEvent[] = [];
    let examined: Position | undefined;
    let chunk = limit + 1;
    for (;;) {
      const page = await this.readAllPage(FORWARDS, toReadPosition(examined ?? from), chunk);
      for (const event of page) {
        const position = fromEsdbPosition(event.position);
        if (comparePositions(position, examined ?? from) <= 0) continue;
        examined = position;
        if (isSystemEvent(event)) continue;
        events.push(event);
        if (events.length === limit) return { events, next: position };
      }
      if (events.length > 0) return { events, next: examined ?? from };
      if (page.length < chunk) return { events, next: from };
      // Only system events so far: step over them in larger reads.
      chunk = Math.min(chunk * 2, Math.max(MAX_SCAN, limit + 1));
    }
  }

  /**
   * Delivers events strictly after `from` (EventStoreDB's catch-up subscription is exclusive; an
   * event exactly at `from` is skipped anyway). Returns when `signal` aborts or the store closes.
   */
  async *subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    const { signal } = options;
    const from = options.from ?? START;
    if (signal?.aborted || this.closed) return;
    // The server drops `$`-typed events; events of `$`-streams are dropped below.
    const subscription = this.client.subscribeToAll({
      fromPosition: toReadPosition(from),
      filter: excludeSystemEvents(),
    });
    // The iterator below reports errors; this keeps a late one (after it stopped) from crashing the process.
    subscription.on('error', ignore);
    const received = subscription[Symbol.asyncIterator]();
    // A pending `received.next()` cannot be cancelled: the wait races this instead.
    let stop = ignore;
    const stopped = new Promise<IteratorReturnResult<undefined>>((resolve) => {
      stop = () => resolve({ done: true, value: undefined });
    });
    signal?.addEventListener('abort', stop, { once: true });
    this.stopSubscriptions.add(stop);
    try {
      for (;;) {
        const next = await Promise.race([received.next(), stopped]);
        if (next.done || signal?.aborted || this.closed) return;
        const event = next.value.event;
        if (!event || isSystemEvent(event) || comparePositions(fromEsdbPosition(event.position), from) <= 0) continue;
        yield toRecordedEvent(event, event.position);
        if (signal?.aborted || this.closed) return;
      }
    } catch (error) {
      if (signal?.aborted || this.closed) return;
      throw this.translate(error);
    } finally {
      signal?.removeEventListener('abort', stop);
      this.stopSubscriptions.delete(stop);
      await unsubscribe(subscription);
    }
  }

  /** The last non-system event in $all: reads backwards from the end, stepping over system events. */
  async headPosition(): Promise<Position | null> {
    let cursor: Position | undefined;
    let chunk = 64;
    for (;;) {
      const page = await this.readAllPage(BACKWARDS, cursor ? toReadPosition(cursor) : END, chunk);
      for (const event of page) {
        const position = fromEsdbPosition(event.position);
        // Whether a backwards read includes its start position is not relied upon.
        if (cursor && comparePositions(position, cursor) >= 0) continue;
        cursor = position;
        if (!isSystemEvent(event)) return position;
      }
      if (page.length < chunk) return null;
      chunk = Math.min(chunk * 2, MAX_SCAN);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const stop of this.stopSubscriptions) stop();
    await this.client.dispose();
  }

  /** One bounded read of a stream, drained; `[]` for a stream that does not exist. */
  private async readStreamPage(
    streamId: string,
    direction: Direction,
    fromRevision: ReadRevision,
    maxCount: number,
  ): Promise<StoredEvent[]> {
    try {
      const resolved = await drain(this.client.readStream(streamId, { direction, fromRevision, maxCount }));
      return resolved.flatMap((r) => (r.event ? [r.event] : []));
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw this.translate(error);
    }
  }

  /** One bounded read of $all, drained. */
  private async readAllPage(
    direction: Direction,
    fromPosition: ReadPosition,
    maxCount: number,
  ): Promise<AllStreamRecordedEvent[]> {
    try {
      const resolved = await drain(this.client.readAll({ direction, fromPosition, maxCount }));
      return resolved.flatMap((r) => (r.event ? [r.event] : []));
    } catch (error) {
      throw this.translate(error);
    }
  }

  /**
   * The append was refused: either someone else wrote first, or this is a retry that the server did
   * not recognise as one (other expected revision, or only part of it already written).
   * `reported` is the server's current revision (`null`: no stream; `undefined`: not known).
   */
  private async resolveConflict(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    reported: number | null | undefined,
  ): Promise<AppendResult> {
    // An absent stream holds none of the events: a plain conflict, no read needed.
    if (reported === null) throw new WrongExpectedRevisionError(streamId, expected, null);
    const found = await this.findAppended(streamId, events);
    if (found.kind === 'all') return found.result;
    if (found.kind === 'some') throw new DuplicateEventIdError(streamId, found.eventIds);
    throw new WrongExpectedRevisionError(streamId, expected, reported ?? found.current);
  }

  /**
   * Looks for `events` in the stream, reading backwards from the end until all are found or the
   * stream is exhausted. Only on a conflict or an unusual acknowledgement: appends that succeed read nothing.
   */
  private async findAppended(streamId: string, events: readonly NewEvent[]): Promise<Appended> {
    const wanted = new Set(events.map((e) => e.id.toLowerCase()));
    const found = new Map<string, StoredEvent>();
    let current: number | null = null;
    let from: ReadRevision = END;
    for (;;) {
      const page = await this.readStreamPage(streamId, BACKWARDS, from, this.pageSize);
      for (const event of page) {
        current ??= Number(event.revision);
        const id = event.id.toLowerCase();
        if (wanted.has(id) && !found.has(id)) found.set(id, event);
      }
      const last = page.at(-1);
      if (found.size === wanted.size || page.length < this.pageSize || !last || last.revision === 0n) break;
      from = last.revision - 1n;
    }
    if (found.size === 0) return { kind: 'none', current };
    // The original append: every event, in this order, at consecutive revisions.
    const matched = events.map((e) => found.get(e.id.toLowerCase()));
    const first = matched[0];
    const original = first !== undefined && matched.every((e, i) => e?.revision === first.revision + BigInt(i));
    if (!original) return { kind: 'some', eventIds: [...found.values()].map((e) => e.id) };
    const last = matched[matched.length - 1] as StoredEvent;
    const { revision, position } = toRecordedEvent(last, last.position);
    return { kind: 'all', result: { revision, position } };
  }

  /** Server unreachable, in any of the client's shapes, becomes the port's error; anything else is kept. */
  private translate(error: unknown): Error {
    if (isUnavailable(error)) {
      const detail = error instanceof Error ? error.message : String(error);
      return new EventStoreUnavailableError(`EventStoreDB at ${this.target}: ${detail}`, { cause: error });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

type Appended =
  | { readonly kind: 'all'; readonly result: AppendResult }
  | { readonly kind: 'some'; readonly eventIds: string[] }
  | { readonly kind: 'none'; readonly current: number | null };

function ignore(): void {}

/**
 * Reads a bounded read to its end. The error listener is attached before anything can fail: a read
 * stream emitting 'error' with no listener crashes the process (STACK-NOTES).
 */
async function drain<E>(read: StreamingRead<E>): Promise<E[]> {
  read.on('error', ignore);
  const items: E[] = [];
  for await (const item of read) items.push(item);
  return items;
}

/** Cancels the server-side subscription and ends the local stream; never throws. */
async function unsubscribe(subscription: AllStreamSubscription): Promise<void> {
  try {
    await subscription.unsubscribe();
  } catch {
    // It never started (server unreachable): nothing to cancel.
  }
  subscription.destroy();
}

function lowest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function toExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new RangeError(`expected revision ${expected} is not a revision`);
      }
      return BigInt(expected);
  }
}

function toActual(current: CurrentRevision): number | null {
  return current === NO_STREAM ? null : Number(current);
}

/**
 * The events as stored, each with its hash over its JSON text (what the client sends and a read
 * parses back: JSON.stringify of the parsed value gives the same text) and the previous event's.
 */
function chained(streamId: string, events: readonly NewEvent[], firstRevision: number, previous: Buffer): EventData[] {
  let previousHash = previous;
  return events.map((event, i) => {
    const metadata = { ...event.metadata, [SCHEMA_VERSION]: event.schemaVersion };
    const hash = eventHash({
      streamId,
      revision: firstRevision + i,
      eventId: event.id.toLowerCase(),
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(metadata),
      previousHash,
    });
    const stored = jsonEvent({
      id: event.id,
      type: event.type,
      data: event.data,
      metadata: { ...metadata, [PREVIOUS_HASH]: previousHash.toString('hex'), [HASH]: hash.toString('hex') },
    });
    previousHash = hash;
    return stored;
  });
}

/**
 * The hash an event carries; `null` for none. An event written before hashes were chains its
 * successor to {@link GENESIS_HASH}: verification reports it as unhashed, not its successor.
 */
function storedHash(event: StoredEvent | undefined): Buffer | null {
  return event ? hexHash(jsonObject(event.metadata)?.[HASH]) : null;
}

/** An event as stored, for verification: its metadata's text is that without the hash keys, as hashed. */
function toLogEntry(event: AllStreamRecordedEvent): LogEntry {
  const stored = jsonObject(event.metadata) ?? {};
  const { [HASH]: hash, [PREVIOUS_HASH]: previousHash, ...hashed } = stored;
  const data = jsonObject(event.data);
  const schemaVersion = stored[SCHEMA_VERSION];
  return {
    id: event.id.toLowerCase(),
    streamId: event.streamId,
    revision: Number(event.revision),
    position: fromEsdbPosition(event.position),
    type: event.type,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 1,
    // Not a JSON object: no text hashes to what was appended, so it shows as altered.
    data: data ? JSON.stringify(data) : '',
    metadata: JSON.stringify(hashed),
    recordedAt: event.created,
    hash: hexHash(hash),
    previousHash: hexHash(previousHash),
  };
}

function hexHash(value: JsonValue | undefined): Buffer | null {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? Buffer.from(value, 'hex') : null;
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function toReadPosition(position: Position): ReadPosition {
  return comparePositions(position, START) === 0 ? ESDB_START : { commit: position.major, prepare: position.minor };
}

function fromEsdbPosition(position: EsdbPosition): Position {
  return { major: position.commit, minor: position.prepare };
}

function isSystemEvent(event: StoredEvent): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/**
 * `position` is passed separately: $all events always carry one, stream events only from server
 * 22.6 on; without it the event cannot be placed in the log.
 */
function toRecordedEvent(event: StoredEvent, position: EsdbPosition | undefined): RecordedEvent {
  const where = `${event.streamId}@${event.revision}`;
  if (!position) throw new Error(`EventStoreDB returned ${where} without its log position (server 22.6+ required)`);
  const stored = jsonObject(event.metadata) ?? {};
  const data = jsonObject(event.data);
  if (!data) throw new TypeError(`event ${where} (${event.type}) does not hold a JSON object`);
  const schemaVersion = stored[SCHEMA_VERSION];
  // `$`-keys are bookkeeping (this adapter's, or EventStoreDB's own), not the caller's metadata.
  const own: JsonObject = Object.fromEntries(Object.entries(stored).filter(([key]) => !key.startsWith('$')));
  const metadata: EventMetadata = {
    ...own,
    actor: text(own.actor),
    commandId: text(own.commandId),
    correlationId: text(own.correlationId),
    causationId: text(own.causationId),
    // `created` is already whole milliseconds (ticks / 10 000, truncated), which `until` compares with.
    recordedAt: event.created,
  };
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: fromEsdbPosition(position),
    type: event.type,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 1,
    data,
    metadata,
  };
}

/** The value as a JSON object, parsing bytes (non-JSON content types) if need be; `undefined` otherwise. */
function jsonObject(value: unknown): JsonObject | undefined {
  let parsed = value;
  if (value instanceof Uint8Array) {
    try {
      parsed = JSON.parse(Buffer.from(value).toString('utf8'));
    } catch {
      return undefined;
    }
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

// The client's error classes carry a `type`; checked by it as well as by class in case two copies of
// the client are loaded.
function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError || errorType(error) === 'wrong-expected-version';
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof StreamNotFoundError || errorType(error) === 'stream-not-found';
}

function errorType(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'type' in error ? error.type : undefined;
}

/** The client's transient errors: unreachable, deadline or server timeout, cancelled by the server, not leader. */
const UNAVAILABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'cancelled', 'not-leader']);
/** Raw gRPC statuses (appendToStream rejects with these unconverted): DEADLINE_EXCEEDED, UNAVAILABLE. */
const UNAVAILABLE_GRPC_CODES = new Set([4, 14]);
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
const CONNECTION_FAILURE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|No connection established|Failed to discover/;

function isUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const type = errorType(error);
  if (typeof type === 'string' && UNAVAILABLE_TYPES.has(type)) return true;
  const { code } = error as { code?: unknown };
  if (typeof code === 'number' && UNAVAILABLE_GRPC_CODES.has(code)) return true;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  if (CONNECTION_FAILURE.test(error.message)) return true;
  return isUnavailable(error.cause, depth + 1);
}
