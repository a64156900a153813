import type { Queue } from 'bullmq';
import { sql, type Kysely, type Migration } from 'kysely';
import { customerIdOfStream, purchaseFrequency, toCustomerEvent } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#read-model-engine';
import { insertRows } from '#postgres';
import { REPURCHASE_SCHEDULER } from '#follow-ups/domain';
import type { FollowUpTiming } from './follow-up.jobs.js';
import { repurchaseDueAt, repurchaseJobId, repurchaseJobOptions, REPURCHASE_QUEUE, type RepurchaseJob } from './repurchase.jobs.js';
import { applyJobChanges, type ScheduledJob } from './scheduled-jobs.js';


/**
 * `scheduled`: a reminder job is queued (or ran) for `expected_on`; `none`: the history expects no
 * next purchase yet (fewer than two purchase days); `cancelled`: the customer was erased.
 */
export type RepurchaseScheduleState = 'scheduled' | 'none' | 'cancelled';

/** What the scheduler knows of each customer who bought, and the reminder it scheduled. */
export interface RepurchaseCustomersTable {
  customer_id: string;
  /** Distinct UTC days with a purchase (`YYYY-MM-DD`), ascending. */
  purchase_days: string[];
  state: RepurchaseScheduleState;
  expected_on: string | null;
  job_id: string | null;
  due_at: Date | null;
}

export interface RepurchaseSchedulerTables {
  customers: RepurchaseCustomersTable;
}

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('customers')
      .addColumn('customer_id', 'text', (c) => c.primaryKey())
      .addColumn('purchase_days', sql`text[]`, (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('expected_on', 'text')
      .addColumn('job_id', 'text')
      .addColumn('due_at', 'timestamptz')
      .execute();
  },
};

type Row = RepurchaseCustomersTable;

/**
 * The log subscriber that schedules repurchase reminders: for each customer who bought on at least
 * two days, one delayed job due `REPURCHASE_REMINDER_MARGIN_DAYS` after the day their next purchase
 * is expected on (the last purchase day plus the median interval, see `purchaseFrequency`). A
 * purchase that moves the expectation replaces the job; an erasure removes it. The job's id is the
 * customer and the expected day, and the customer decider records one reminder per expected day,
 * refusing an expectation a purchase has since moved: a job that could not be removed in time, or
 * one a replay re-adds, reminds nobody twice.
 */
export function repurchaseScheduler(queue: Queue<RepurchaseJob>, isRedisReady: () => boolean, timing: FollowUpTiming): Projection<RepurchaseSchedulerTables> {
  return {
    name: REPURCHASE_SCHEDULER,
    version: 1,
    migrations: { '0001-repurchase-scheduler': initial },
    async apply(db, events) {
      // Only purchases and erasures change a schedule: other events cost no read.
      const relevant = events.filter((event) => event.type === 'PurchaseRecorded' || event.type === 'CustomerErased');
      const customerIds = [...new Set(relevant.flatMap((event) => customerIdOfStream(event.streamId) ?? []))];
      if (customerIds.length === 0) return;
      const stored = await db.selectFrom('customers').selectAll().where('customer_id', 'in', customerIds).execute();
      const rows = new Map(stored.map((row) => [row.customer_id, row]));
      const jobIds = new Map(stored.map((row) => [row.customer_id, row.job_id]));
      const changed = fold(rows, relevant);
      if (changed.length === 0) return;
      const now = timing.now();
      const scheduled = changed.map((row) => schedule(row, timing));
      await applyJobChanges(
        queue,
        isRedisReady,
        scheduled.map((row) => ({ before: jobIds.get(row.customer_id) ?? null, after: row.job_id === null ? null : jobOf(row, now) })),
      );
      await insertRows(db, 'customers', scheduled, { key: ['customer_id'], set: ['purchase_days', 'state', 'expected_on', 'job_id', 'due_at'] });
    },
  };
}

/**
 * Folds the batch's purchases and erasures into `rows` (log order) and returns the customers they
 * changed, each once, as they stand after the batch: only the net effect reaches Redis.
 */
function fold(rows: Map<string, Row>, events: readonly RecordedEvent[]): Row[] {
  const changed = new Set<string>();
  for (const event of events) {
    const customerId = customerIdOfStream(event.streamId);
    const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
    if (customerId === undefined || customerEvent === undefined) continue;
    const row = rows.get(customerId);
    if (customerEvent.type === 'PurchaseRecorded') {
      // Event times are UTC (the decider normalises them): the date part is the UTC day.
      const day = customerEvent.data.purchasedAt.slice(0, 10);
      const days = row?.purchase_days ?? [];
      if (days.includes(day)) continue;
      rows.set(customerId, { ...(row ?? { customer_id: customerId, state: 'none', expected_on: null, job_id: null, due_at: null }), purchase_days: [...days, day].sort() });
      changed.add(customerId);
    } else if (customerEvent.type === 'CustomerErased' && row !== undefined) {
      rows.set(customerId, { ...row, state: 'cancelled' });
      changed.add(customerId);
    }
  }
  return [...changed].map((customerId) => rows.get(customerId) as Row);
}

/** The customer's row with its job: none once cancelled or while no purchase is expected. */
function schedule(row: Row, timing: FollowUpTiming): Row {
  if (row.state === 'cancelled') return { ...row, expected_on: null, job_id: null, due_at: null };
  const expectedOn = purchaseFrequency(row.purchase_days)?.expectedOn ?? null;
  if (expectedOn === null) return { ...row, state: 'none', expected_on: null, job_id: null, due_at: null };
  return { ...row, state: 'scheduled', expected_on: expectedOn, job_id: repurchaseJobId(row.customer_id, expectedOn), due_at: new Date(repurchaseDueAt(timing, expectedOn)) };
}

function jobOf(row: Row, now: number): ScheduledJob<RepurchaseJob> {
  const dueAt = (row.due_at as Date).getTime();
  const data: RepurchaseJob = { customerId: row.customer_id, expectedOn: row.expected_on as string, dueAt: new Date(dueAt).toISOString() };
  return { name: REPURCHASE_QUEUE, data, opts: repurchaseJobOptions(row.job_id as string, dueAt, now) };
}
