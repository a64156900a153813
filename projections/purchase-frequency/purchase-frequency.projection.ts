import { sql, type Kysely, type Migration } from 'kysely';
import { customerIdOfStream, purchaseFrequency, toCustomerEvent } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { REPURCHASE_ORIGIN } from '#follow-ups/domain';
import type { Projection } from '#read-model-engine';
import { insertRows } from '#postgres';
import { originTask } from '#sales/domain';
import { calendarDate, type CalendarDate } from '../shared/date-columns.js';

export const PURCHASE_FREQUENCY = 'purchase-frequency';

/**
 * Every registered customer's purchase rhythm (see `purchaseFrequency` in the customer domain) and
 * how far the repurchase reminder of their latest expectation got. Analysts may read it directly:
 * `where expected_on < current_date` lists the customers whose next purchase is late.
 */
export interface PurchaseFrequencyTable {
  customer_id: string;
  orders: number;
  /** Distinct UTC days with a purchase (`YYYY-MM-DD`), ascending. */
  purchase_days: string[];
  first_purchase_on: CalendarDate | null;
  last_purchase_on: CalendarDate | null;
  /** Null below two purchase days, as is `expected_on`. */
  median_interval_days: number | null;
  expected_on: CalendarDate | null;
  /** The expected day of the latest RepurchaseReminderDue, and what it said. */
  reminded_on: CalendarDate | null;
  reminder_due_at: Date | null;
  reminder_rep_id: string | null;
  reminder_task_id: string | null;
  /** Whether the owner's TaskAssigned for that task was seen. */
  reminder_task_created: boolean;
}

export interface PurchaseFrequencyTables {
  customers: PurchaseFrequencyTable;
}

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('customers')
      .addColumn('customer_id', 'text', (c) => c.primaryKey())
      .addColumn('orders', 'integer', (c) => c.notNull())
      .addColumn('purchase_days', sql`text[]`, (c) => c.notNull())
      .addColumn('first_purchase_on', 'date')
      .addColumn('last_purchase_on', 'date')
      .addColumn('median_interval_days', 'integer')
      .addColumn('expected_on', 'date')
      .addColumn('reminded_on', 'date')
      .addColumn('reminder_due_at', 'timestamptz')
      .addColumn('reminder_rep_id', 'text')
      .addColumn('reminder_task_id', 'text')
      .addColumn('reminder_task_created', 'boolean', (c) => c.notNull())
      .execute();
    // Late customers, soonest expectation first.
    await db.schema.createIndex('customers_by_expected_on').on('customers').columns(['expected_on', 'customer_id']).where(sql.ref('expected_on'), 'is not', null).execute();
  },
};

/** A row as written and folded: dates as `YYYY-MM-DD` text. */
interface Row {
  customer_id: string;
  orders: number;
  purchase_days: string[];
  first_purchase_on: string | null;
  last_purchase_on: string | null;
  median_interval_days: number | null;
  expected_on: string | null;
  reminded_on: string | null;
  reminder_due_at: Date | null;
  reminder_rep_id: string | null;
  reminder_task_id: string | null;
  reminder_task_created: boolean;
}

const COLUMNS = [
  'orders',
  'purchase_days',
  'first_purchase_on',
  'last_purchase_on',
  'median_interval_days',
  'expected_on',
  'reminded_on',
  'reminder_due_at',
  'reminder_rep_id',
  'reminder_task_id',
  'reminder_task_created',
] as const satisfies readonly (keyof Row)[];

/** The customer events the read model folds. */
const FOLDED = new Set(['CustomerRegistered', 'PurchaseRecorded', 'RepurchaseReminderDue']);

/**
 * Fed by registrations, purchases, RepurchaseReminderDue and the reminder tasks owners get
 * (TaskAssigned with origin `repurchase-reminder`, matched by the task id the reminder named). A
 * batch loads the rows of the customers it touches, folds its events into them in memory, and
 * upserts the changed rows in one statement.
 */
export const purchaseFrequencyProjection: Projection<PurchaseFrequencyTables> = {
  name: PURCHASE_FREQUENCY,
  version: 1,
  migrations: { '0001-customers': initial },
  async apply(db, events) {
    // Calls, notes, clicks... change nothing here: only the events folded below cost a read.
    const customerIds = [
      ...new Set(
        events.flatMap((event) => (FOLDED.has(event.type) ? (customerIdOfStream(event.streamId) ?? []) : (originTask(event, REPURCHASE_ORIGIN)?.customerId ?? []))),
      ),
    ];
    if (customerIds.length === 0) return;
    const stored = await db
      .selectFrom('customers')
      .select(['customer_id', 'orders', 'purchase_days', 'median_interval_days', 'reminder_due_at', 'reminder_rep_id', 'reminder_task_id', 'reminder_task_created'])
      .select([
        calendarDate('first_purchase_on').as('first_purchase_on'),
        calendarDate('last_purchase_on').as('last_purchase_on'),
        calendarDate('expected_on').as('expected_on'),
        calendarDate('reminded_on').as('reminded_on'),
      ])
      .where('customer_id', 'in', customerIds)
      .execute();
    const changed = fold(new Map(stored.map((row) => [row.customer_id, row])), events);
    if (changed.length === 0) return;
    await insertRows(db, 'customers', changed, { key: ['customer_id'], set: COLUMNS });
  },
};

/** The batch folded into `rows` in log order; the rows it changed, each once. */
function fold(rows: Map<string, Row>, events: readonly RecordedEvent[]): Row[] {
  const changed = new Set<string>();
  const update = (customerId: string, change: (row: Row) => Row) => {
    const row = rows.get(customerId);
    if (row === undefined) return;
    rows.set(customerId, change(row));
    changed.add(customerId);
  };
  for (const event of events) {
    const task = originTask(event, REPURCHASE_ORIGIN);
    if (task !== undefined) {
      update(task.customerId, (row) => (row.reminder_task_id === task.taskId ? { ...row, reminder_task_created: true } : row));
      continue;
    }
    const customerId = customerIdOfStream(event.streamId);
    const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
    if (customerId === undefined || customerEvent === undefined) continue;
    switch (customerEvent.type) {
      case 'CustomerRegistered':
        rows.set(customerId, {
          customer_id: customerId,
          orders: 0,
          purchase_days: [],
          first_purchase_on: null,
          last_purchase_on: null,
          median_interval_days: null,
          expected_on: null,
          reminded_on: null,
          reminder_due_at: null,
          reminder_rep_id: null,
          reminder_task_id: null,
          reminder_task_created: false,
        });
        changed.add(customerId);
        break;
      case 'PurchaseRecorded': {
        // Event times are UTC (the decider normalises them): the date part is the UTC day.
        const day = customerEvent.data.purchasedAt.slice(0, 10);
        update(customerId, (row) => withPurchaseDays(row, row.orders + 1, row.purchase_days.includes(day) ? row.purchase_days : [...row.purchase_days, day].sort()));
        break;
      }
      case 'RepurchaseReminderDue': {
        const { data } = customerEvent;
        update(customerId, (row) => ({
          ...row,
          reminded_on: data.expectedOn,
          reminder_due_at: new Date(data.dueAt),
          reminder_rep_id: data.repId ?? null,
          reminder_task_id: data.taskId ?? null,
          reminder_task_created: false,
        }));
        break;
      }
      default:
        break;
    }
  }
  return [...changed].map((customerId) => rows.get(customerId) as Row);
}

/** The row's figures recomputed from its purchase days (the one definition, the customer domain's). */
function withPurchaseDays(row: Row, orders: number, days: string[]): Row {
  const frequency = purchaseFrequency(days);
  return {
    ...row,
    orders,
    purchase_days: days,
    first_purchase_on: frequency?.firstPurchaseOn ?? null,
    last_purchase_on: frequency?.lastPurchaseOn ?? null,
    median_interval_days: frequency?.medianIntervalDays ?? null,
    expected_on: frequency?.expectedOn ?? null,
  };
}
