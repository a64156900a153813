import { sql, type Kysely } from 'kysely';
import type { JsonObject } from '#event-store';
import { isUuid } from '#postgres';
import { decodeCursor, encodeCursor, invalidCursor } from '#read-model-engine';
import type { TimelineTables } from './timeline.projection.js';

export interface TimelinePageQuery {
  /** Only events of these types (all when absent or empty). */
  readonly types?: readonly string[];
  /** Occurred at or after (inclusive). */
  readonly from?: Date;
  /** Occurred before (exclusive). */
  readonly to?: Date;
  readonly limit: number;
  /** From the previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface TimelineItem {
  readonly eventId: string;
  readonly type: string;
  /** ISO 8601, UTC. */
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor: string;
  readonly summary: string;
  readonly details: JsonObject;
}

export interface TimelinePage {
  readonly items: TimelineItem[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

/** Where a page ended: the last row's sort key, exact to the microsecond. */
interface TimelineCursor {
  readonly occurredAt: string;
  readonly eventId: string;
}

const MICROSECOND_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * Reads one customer's timeline, newest first. Pages are keyset pages on (occurred_at, event_id):
 * a row inserted while a client pages lands before or after its cursor and never shifts the rows
 * still to come, so no row is repeated or skipped.
 */
export class TimelineQueries {
  private readonly db: Kysely<TimelineTables>;

  /** `db`: any Kysely over the database; `schema`: the projection version's schema to read (the active one, for the API). */
  constructor(db: { withSchema(schema: string): object }, schema: string) {
    this.db = db.withSchema(schema) as Kysely<TimelineTables>;
  }

  async page(customerId: string, query: TimelinePageQuery): Promise<TimelinePage> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, readCursor);
    let select = this.db
      .selectFrom('timeline_entries')
      .select(['event_id', 'type', 'occurred_at', 'recorded_at', 'actor', 'summary', 'details'])
      // The key as text with every microsecond: a JS Date would round it to milliseconds.
      .select(sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('occurred_key'))
      .where('customer_id', '=', customerId)
      .orderBy('occurred_at', 'desc')
      .orderBy('event_id', 'desc')
      .limit(query.limit + 1);
    if (query.types !== undefined && query.types.length > 0) select = select.where('type', 'in', [...query.types]);
    if (query.from !== undefined) select = select.where('occurred_at', '>=', query.from);
    if (query.to !== undefined) select = select.where('occurred_at', '<', query.to);
    if (after !== undefined) {
      select = select.where((eb) =>
        eb(eb.refTuple('occurred_at', 'event_id'), '<', eb.tuple(sql<Date>`${after.occurredAt}::timestamptz`, sql<string>`${after.eventId}::uuid`)),
      );
    }
    const rows = await select.execute();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({
        eventId: row.event_id,
        type: row.type,
        occurredAt: row.occurred_at.toISOString(),
        recordedAt: row.recorded_at.toISOString(),
        actor: row.actor,
        summary: row.summary,
        details: row.details,
      })),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor([last.occurred_key, last.event_id]) : null,
    };
  }
}

/** The key of a timeline cursor, `[occurredAt, eventId]`, checked. */
function readCursor(json: unknown): TimelineCursor {
  if (!Array.isArray(json) || json.length !== 2) throw invalidCursor('not a timeline cursor');
  const [occurredAt, eventId]: unknown[] = json;
  if (typeof occurredAt !== 'string' || !MICROSECOND_ISO.test(occurredAt) || Number.isNaN(Date.parse(occurredAt))) {
    throw invalidCursor('bad time');
  }
  if (typeof eventId !== 'string' || !isUuid(eventId)) throw invalidCursor('bad event id');
  return { occurredAt, eventId };
}
