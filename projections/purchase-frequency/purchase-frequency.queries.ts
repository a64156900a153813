import { sql, type Kysely } from 'kysely';
import { daysPast } from '#customers/domain';
/**
 * - `scheduled`: the reminder of the current expectation is queued, due at `dueAt`;
 * - `due`: it fell due (RepurchaseReminderDue) and no task was created (nobody owns the customer,
 *   or the owner's task is not in yet);
 * - `task_created`: the owner has the reminder task;
 * - `none`: nothing is scheduled (no expectation yet, or the scheduler has not got to it).
 */
export type ReminderStatus = 'scheduled' | 'due' | 'task_created' | 'none';

/** `insufficient_history`: fewer than two purchase days; `overdue`: the expected day has passed. */
export type RepurchaseStatus = 'insufficient_history' | 'expected' | 'overdue';

export interface PurchaseFrequencyView {
  customerId: string;
  orders: number;
  /** Distinct UTC days with a purchase: orders on one day are one purchase occasion. */
  purchaseDays: number;
  firstPurchaseOn: string | null;
  lastPurchaseOn: string | null;
  medianIntervalDays: number | null;
  /** The last purchase day plus the median interval. */
  expectedNextPurchaseOn: string | null;
  status: RepurchaseStatus;
  /** Days since the expected day, once overdue. */
  daysOverdue: number | null;
  /** The reminder of the current expectation. */
  reminder: {
    status: ReminderStatus;
    /** When it is (scheduled) or was (due, task_created) due. */
    dueAt: string | null;
    repId: string | null;
    taskId: string | null;
  };
}

interface Row {
  customer_id: string;
  orders: number;
  purchase_day_count: number;
  first_purchase_on: string | null;
  last_purchase_on: string | null;
  median_interval_days: number | null;
  expected_on: string | null;
  reminded_on: string | null;
  reminder_due_at: Date | null;
  reminder_rep_id: string | null;
  reminder_task_id: string | null;
  reminder_task_created: boolean;
  scheduled_due_at: Date | null;
}

/**
 * Reads the purchase-frequency read model (`schema`) beside the repurchase scheduler's own table
 * (`schedulerSchema`, null before the scheduler first ran), which alone knows what it queued and
 * for when (the margin is configuration at the time it scheduled).
 */
export class PurchaseFrequencyQueries {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string,
    private readonly schedulerSchema: string | null,
  ) {}

  /** The customer's purchase frequency as of `today` (`YYYY-MM-DD`); undefined for a customer not registered. */
  async get(customerId: string, today: string): Promise<PurchaseFrequencyView | undefined> {
    const { rows } = await sql<Row>`
      select f.customer_id, f.orders, cardinality(f.purchase_days) as purchase_day_count,
             to_char(f.first_purchase_on, 'YYYY-MM-DD') as first_purchase_on, to_char(f.last_purchase_on, 'YYYY-MM-DD') as last_purchase_on,
             f.median_interval_days, to_char(f.expected_on, 'YYYY-MM-DD') as expected_on, to_char(f.reminded_on, 'YYYY-MM-DD') as reminded_on,
             f.reminder_due_at, f.reminder_rep_id, f.reminder_task_id, f.reminder_task_created,
             ${this.schedulerSchema === null ? sql`null::timestamptz` : sql`case when s.state = 'scheduled' and s.expected_on = to_char(f.expected_on, 'YYYY-MM-DD') then s.due_at end`} as scheduled_due_at
        from ${sql.table(`${this.schema}.customers`)} f
        ${this.schedulerSchema === null ? sql`` : sql`left join ${sql.table(`${this.schedulerSchema}.customers`)} s on s.customer_id = f.customer_id`}
       where f.customer_id = ${customerId}`.execute(this.db);
    const [row] = rows;
    return row === undefined ? undefined : toView(row, today);
  }
}

function toView(row: Row, today: string): PurchaseFrequencyView {
  const late = row.expected_on === null ? null : daysPast(row.expected_on, today);
  const reminded = row.expected_on !== null && row.reminded_on === row.expected_on;
  const status: ReminderStatus = reminded ? (row.reminder_task_created ? 'task_created' : 'due') : row.scheduled_due_at !== null ? 'scheduled' : 'none';
  const dueAt = reminded ? row.reminder_due_at : row.scheduled_due_at;
  return {
    customerId: row.customer_id,
    orders: row.orders,
    purchaseDays: row.purchase_day_count,
    firstPurchaseOn: row.first_purchase_on,
    lastPurchaseOn: row.last_purchase_on,
    medianIntervalDays: row.median_interval_days,
    expectedNextPurchaseOn: row.expected_on,
    status: late === null ? 'insufficient_history' : late > 0 ? 'overdue' : 'expected',
    daysOverdue: late !== null && late > 0 ? late : null,
    reminder: {
      status,
      dueAt: dueAt?.toISOString() ?? null,
      repId: reminded ? row.reminder_rep_id : null,
      taskId: reminded ? row.reminder_task_id : null,
    },
  };
}
