import { Kysely, PostgresDialect, sql, type ColumnType, type Generated, type Selectable, type SelectQueryBuilder } from 'kysely';
import type pg from 'pg';
import { ChannelNotifier, borrowedPool, createPool } from '#postgres';
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
import type { EventMetadataInput, JsonObject, NewEvent, RecordedEvent } from '../event.js';
import { START, type Position } from '../position.js';
import { DUPLICATE_EVENT_ID, WRONG_EXPECTED_REVISION } from './event-store.migrations.js';

interface EventsTable {
  sequence: Generated<number>;
  /** xid8, read as its decimal text. */
  transaction_id: ColumnType<string, never, never>;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: JsonObject;
  metadata: EventMetadataInput;
  recorded_at: Date;
  /** Set by event_store.append (log-hash.ts): the hash of the stream's previous event, and this one's. */
  previous_hash: ColumnType<Buffer, never, never>;
  hash: ColumnType<Buffer, never, never>;
}

interface StreamsTable {
  stream_id: string;
  revision: number;
  last_hash: ColumnType<Buffer, never, never>;
}

export interface EventStoreTables {
  'event_store.events': EventsTable;
  'event_store.streams': StreamsTable;
}

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Shares a pool with the caller (it is not ended on close); otherwise the store makes its own. */
  readonly pool?: pg.Pool;
  /** Events per page when a subscription catches up. */
  readonly pageSize?: number;
}

const NOTIFY_CHANNEL = 'event_store_appended';
/** While an older transaction is still open, events after it are held back; look again this soon. */
const HELD_BACK_RECHECK_MS = 20;
/** Safety net only: subscribers are woken by NOTIFY, this bounds the wait if one were ever lost. */
const IDLE_RECHECK_MS = 5_000;
const SAFE_HORIZON = sql<string>`pg_snapshot_xmin(pg_current_snapshot())`;

type EventRow = Omit<Selectable<EventsTable>, 'hash' | 'previous_hash'>;

export class PostgresEventStore implements EventStore {
  readonly db: Kysely<EventStoreTables>;
  private readonly notifier: ChannelNotifier;
  private readonly pageSize: number;
  private notifying = false;
  private notifyAgain = false;

  constructor(options: PostgresEventStoreOptions) {
    const pool = options.pool
      ? borrowedPool(options.pool)
      : createPool(options.connectionString, { applicationName: 'crm-event-store' });
    this.db = new Kysely<EventStoreTables>({ dialect: new PostgresDialect({ pool }) });
    this.notifier = new ChannelNotifier(options.connectionString, NOTIFY_CHANNEL);
    this.pageSize = options.pageSize ?? 500;
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const result = await this.appendWith(this.db, streamId, events, expected);
    this.signalAppended();
    return result;
  }

  /**
   * Appends through `executor`, which may be a transaction of the caller's (the append must be its
   * first write; it commits or rolls back with it). Call {@link signalAppended} after the commit.
   */
  async appendWith(
    executor: Kysely<EventStoreTables>,
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    try {
      const { rows } = await sql<{ revision: number; transaction_id: string; sequence: number }>`
        select revision, transaction_id::text as transaction_id, sequence from event_store.append(
          ${streamId}, ${String(expected)},
          ${events.map((e) => e.id)}::uuid[],
          ${events.map((e) => e.type)}::text[],
          ${events.map((e) => e.schemaVersion)}::integer[],
          ${events.map((e) => JSON.stringify(e.data))}::jsonb[],
          ${events.map((e) => JSON.stringify(e.metadata))}::jsonb[])`.execute(executor);
      const [row] = rows;
      return { revision: row.revision, position: toPosition(row) };
    } catch (error) {
      throw this.translate(error, streamId, expected, events);
    }
  }

  /**
   * Wakes subscribers (in every process) after a commit. Sent outside the writer's transaction: a
   * NOTIFY inside it would hold PostgreSQL's notify lock across the commit's WAL flush and serialise
   * all concurrent commits. Coalesced: while one is in flight, further calls send one more after it.
   */
  signalAppended(): void {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    void sql`select pg_notify(${NOTIFY_CHANNEL}, '')`
      .execute(this.db)
      // Losing a wake-up only delays subscribers until their idle recheck.
      .catch(() => undefined)
      .finally(() => {
        this.notifying = false;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.signalAppended();
        }
      });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    let query = this.selectEvents().where('stream_id', '=', streamId);
    if (options.fromRevision !== undefined) query = query.where('revision', backwards ? '<=' : '>=', options.fromRevision);
    if (options.toRevision !== undefined) query = query.where('revision', '<=', options.toRevision);
    if (options.until !== undefined) query = query.where('recorded_at', '<=', options.until);
    query = query.orderBy('revision', backwards ? 'desc' : 'asc');
    if (options.limit !== undefined) query = query.limit(options.limit);
    return this.run(async () => (await query.execute()).map(toRecordedEvent));
  }

  streamRevision(streamId: string): Promise<number | null> {
    return this.run(async () => {
      const row = await this.db
        .selectFrom('event_store.streams')
        .select('revision')
        .where('stream_id', '=', streamId)
        .executeTakeFirst();
      return row?.revision ?? null;
    });
  }

  /** Only transactions older than every running one are read: none can still commit before them. */
  readAll(options: ReadAllOptions = {}): Promise<LogPage> {
    const from = options.from ?? START;
    return this.run(async () => {
      const rows = await this.inLogOrder(this.selectEvents(), from, options.limit).execute();
      const events = rows.map(toRecordedEvent);
      return { events, next: events.at(-1)?.position ?? from };
    });
  }

  /** data and metadata as jsonb's text output: the very text event_store.append hashed. */
  readLogEntries(options: ReadAllOptions = {}): Promise<LogEntryPage> {
    const from = options.from ?? START;
    return this.run(async () => {
      const query = this.db
        .selectFrom('event_store.events')
        .select([
          'sequence',
          sql<string>`transaction_id::text`.as('transaction_id'),
          'stream_id',
          'revision',
          'event_id',
          'type',
          'schema_version',
          sql<string>`data::text`.as('data_text'),
          sql<string>`metadata::text`.as('metadata_text'),
          'recorded_at',
          'hash',
          'previous_hash',
        ]);
      const rows = await this.inLogOrder(query, from, options.limit).execute();
      const entries = rows.map(
        (row): LogEntry => ({
          id: row.event_id,
          streamId: row.stream_id,
          revision: Number(row.revision),
          position: toPosition(row),
          type: row.type,
          schemaVersion: row.schema_version,
          data: row.data_text,
          metadata: row.metadata_text,
          recordedAt: row.recorded_at,
          hash: row.hash,
          previousHash: row.previous_hash,
        }),
      );
      return { entries, next: entries.at(-1)?.position ?? from };
    });
  }

  /** One page of the log after `from`, below the safe horizon, in log order. */
  private inLogOrder<Q extends SelectQueryBuilder<EventStoreTables, 'event_store.events', object>>(query: Q, from: Position, limit: number | undefined): Q {
    return query
      .where(sql`(transaction_id, sequence)`, '>', sql`(${String(from.major)}::xid8, ${Number(from.minor)}::bigint)`)
      .where('transaction_id', '<', SAFE_HORIZON)
      // Qualified: a bare name would sort by the selected text alias (xid '99999' after '100000') and miss the index.
      .orderBy('event_store.events.transaction_id')
      .orderBy('sequence')
      .limit(limit ?? this.pageSize) as Q;
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    const { signal } = options;
    let position = options.from ?? START;
    while (!signal?.aborted) {
      await this.run(() => this.notifier.ready());
      const seen = this.notifier.changes;
      const page = await this.readAll({ from: position, limit: this.pageSize });
      for (const event of page.events) {
        if (signal?.aborted) return;
        yield event;
      }
      position = page.next;
      if (page.events.length === this.pageSize) continue;
      const heldBack = await this.hasEventsBeyondHorizon(position);
      await this.notifier.waitForChange(seen, heldBack ? HELD_BACK_RECHECK_MS : IDLE_RECHECK_MS, signal);
    }
  }

  headPosition(): Promise<Position | null> {
    return this.run(async () => {
      const row = await this.db
        .selectFrom('event_store.events')
        .select([sql<string>`transaction_id::text`.as('transaction_id'), 'sequence'])
        .where('transaction_id', '<', SAFE_HORIZON)
        .orderBy('event_store.events.transaction_id', 'desc')
        .orderBy('sequence', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toPosition(row) : null;
    });
  }

  async close(): Promise<void> {
    await this.notifier.close();
    await this.db.destroy();
  }

  private selectEvents() {
    return this.db
      .selectFrom('event_store.events')
      .select([
        'sequence',
        sql<string>`transaction_id::text`.as('transaction_id'),
        'stream_id',
        'revision',
        'event_id',
        'type',
        'schema_version',
        'data',
        'metadata',
        'recorded_at',
      ]);
  }

  /** Committed events after `position` that the safe horizon still holds back (an older transaction is open). */
  private async hasEventsBeyondHorizon(position: Position): Promise<boolean> {
    const row = await this.run(() =>
      this.db
        .selectFrom('event_store.events')
        .select(sql<number>`1`.as('found'))
        .where(sql`(transaction_id, sequence)`, '>', sql`(${String(position.major)}::xid8, ${Number(position.minor)}::bigint)`)
        .limit(1)
        .executeTakeFirst(),
    );
    return row !== undefined;
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  private translate(error: unknown, streamId: string, expected: ExpectedRevision, events: readonly NewEvent[]): Error {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code === WRONG_EXPECTED_REVISION) {
      return new WrongExpectedRevisionError(streamId, expected, detail ? Number(detail) : null);
    }
    if (code === DUPLICATE_EVENT_ID) {
      return new DuplicateEventIdError(streamId, detail ? detail.split(',') : events.map((e) => e.id));
    }
    return unavailableOr(error);
  }
}

function toPosition(row: { transaction_id: string; sequence: number }): Position {
  return { major: BigInt(row.transaction_id), minor: BigInt(row.sequence) };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: row.revision,
    position: toPosition(row),
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: { ...row.metadata, recordedAt: row.recorded_at },
  };
}

// Connection-level failures: refused, reset, timed out, server shutting down or not accepting connections.
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

function unavailableOr(error: unknown): Error {
  const { code, message } = error as { code?: string; message?: string };
  if ((code && CONNECTION_ERRORS.has(code)) || /Connection terminated|connect ECONNREFUSED/.test(message ?? '')) {
    return new EventStoreUnavailableError(`PostgreSQL: ${message ?? code}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
