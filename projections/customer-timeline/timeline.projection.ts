import { sql, type ColumnType, type Insertable, type Kysely, type Migration } from 'kysely';
import { customerIdOfStream, toCustomerEvent, type CustomerEvent, type CustomerEventType } from '#customers/domain';
import { serializePosition, type JsonObject, type RecordedEvent } from '#event-store';
import type { Projection } from '#read-model-engine';
import { insertRows } from '#postgres';
import { DOMAIN_PERSONAL_DATA } from '#event-catalog';
import { businessTime, summarize } from './timeline.summary.js';

/** One row per customer event: the customer's history, newest first. */
export interface TimelineEntriesTable {
  event_id: string;
  customer_id: string;
  /** The event's place in the customer's stream. */
  revision: number;
  /** Serialised log position. */
  position: string;
  type: string;
  /** Business time: when it happened, as the command said (falls back to recorded_at). */
  occurred_at: ColumnType<Date, string, never>;
  recorded_at: ColumnType<Date, Date, never>;
  actor: string;
  summary: string;
  /** The event data as read; personal fields are `{"$erased": true}` once the customer is erased. */
  details: ColumnType<JsonObject, string, string>;
}

export interface TimelineTables {
  timeline_entries: TimelineEntriesTable;
}

export const CUSTOMER_TIMELINE = 'customer-timeline';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('timeline_entries')
      .addColumn('event_id', 'uuid', (column) => column.primaryKey())
      .addColumn('customer_id', 'text', (column) => column.notNull())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('position', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('occurred_at', 'timestamptz', (column) => column.notNull())
      .addColumn('recorded_at', 'timestamptz', (column) => column.notNull())
      .addColumn('actor', 'text', (column) => column.notNull())
      .addColumn('summary', 'text', (column) => column.notNull())
      .addColumn('details', 'jsonb', (column) => column.notNull())
      .execute();
    // The page query: one customer, newest first, keyset on (occurred_at, event_id).
    await db.schema
      .createIndex('timeline_entries_by_customer')
      .on('timeline_entries')
      .columns(['customer_id', 'occurred_at desc', 'event_id desc'])
      .execute();
    // The same, filtered to one type (a list of types is served by the index above plus a filter).
    await db.schema
      .createIndex('timeline_entries_by_customer_type')
      .on('timeline_entries')
      .columns(['customer_id', 'type', 'occurred_at desc', 'event_id desc'])
      .execute();
  },
};

/**
 * The customer timeline: every event of every customer stream as a row with a readable summary.
 * Event types this code does not know (a newer writer's) are skipped: showing them needs a new
 * version of this projection, which rebuilds from the start of the log.
 */
export const customerTimelineProjection: Projection<TimelineTables> = {
  name: CUSTOMER_TIMELINE,
  version: 1,
  migrations: { '0001-timeline-entries': initial },
  async apply(db, events) {
    const rows: Insertable<TimelineEntriesTable>[] = [];
    const erased: string[] = [];
    for (const event of events) {
      const customerId = customerIdOfStream(event.streamId);
      const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
      if (customerId === undefined || customerEvent === undefined) continue;
      rows.push(entryOf(customerId, customerEvent, event));
      if (customerEvent.type === 'CustomerErased') erased.push(customerId);
    }
    // Applying an event twice (a replayed batch) leaves one row.
    await insertRows(db, 'timeline_entries', rows, { key: ['event_id'] });
    // After the batch's rows are in: rows the same batch wrote before the erasure are scrubbed too.
    for (const customerId of new Set(erased)) await scrubPersonalData(db, customerId);
  },
};

function entryOf(customerId: string, customerEvent: CustomerEvent, event: RecordedEvent): Insertable<TimelineEntriesTable> {
  return {
    event_id: event.id,
    customer_id: customerId,
    revision: event.revision,
    position: serializePosition(event.position),
    type: event.type,
    occurred_at: eventTime(customerEvent, event.metadata.recordedAt),
    recorded_at: event.metadata.recordedAt,
    actor: event.metadata.actor,
    summary: summarize(customerEvent),
    details: JSON.stringify(event.data),
  };
}

/** Business time, or when the store recorded the event should the data lack a usable one. */
function eventTime(event: CustomerEvent, recordedAt: Date): string {
  const time: unknown = businessTime(event);
  return typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? time : recordedAt.toISOString();
}

/**
 * Rows written before the erasure hold the person's data in plain text: rewrite each as it would
 * have been written from the events read after the erasure (personal fields `{"$erased": true}`),
 * so a rebuild and a live run end with the same rows.
 */
async function scrubPersonalData(db: Kysely<TimelineTables>, customerId: string): Promise<void> {
  const rows = await db.selectFrom('timeline_entries').select(['event_id', 'type', 'details']).where('customer_id', '=', customerId).execute();
  const changed = rows.flatMap((row) => {
    const type = row.type as CustomerEventType;
    const details = DOMAIN_PERSONAL_DATA.erased(type, row.details);
    if (JSON.stringify(details) === JSON.stringify(row.details)) return [];
    const summary = summarize(toCustomerEventOrThrow(type, details));
    return [{ event_id: row.event_id, summary, details }];
  });
  if (changed.length === 0) return;
  // One statement for every changed row of the customer.
  await db
    .updateTable('timeline_entries')
    .from(
      sql<{ event_id: string; summary: string; details: JsonObject }>`(
        select * from jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) as scrubbed(event_id uuid, summary text, details jsonb)
      )`.as('scrubbed'),
    )
    // details is written as JSON text elsewhere; here it is jsonb already.
    .set((eb) => ({ summary: eb.ref('scrubbed.summary'), details: eb.ref('scrubbed.details').$castTo<string>() }))
    .whereRef('timeline_entries.event_id', '=', 'scrubbed.event_id')
    .execute();
}

function toCustomerEventOrThrow(type: string, data: JsonObject) {
  const event = toCustomerEvent({ type, data });
  // Only known types are ever stored.
  if (event === undefined) throw new Error(`timeline row of unknown event type ${type}`);
  return event;
}
