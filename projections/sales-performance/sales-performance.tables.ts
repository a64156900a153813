import { sql, type ColumnType, type Kysely, type Migration } from 'kysely';
import type { GoalPeriod } from '#sales/domain';
import type { CalendarDate } from '../shared/date-columns.js';
import type { PeriodKind, Segment } from './commission.calc.js';

/** The sales reps seen in the log, with what the leaderboard shows of them. */
export interface RepsTable {
  rep_id: string;
  /** Revision of the last event of the rep's stream applied: at or below it, already applied. */
  revision: number;
  name: string | null;
  team: string | null;
  region: string | null;
  /** Onboarded and not deactivated since. */
  active: boolean;
}

/** Who owns each customer now: sales and conversions without a rep of their own are credited to them. */
export interface CustomersTable {
  customer_id: string;
  /** Revision of the last event of the customer's stream applied. */
  revision: number;
  owner_rep_id: string | null;
}

/** Every commission plan of every rep, kept as set (plans are never edited). */
export interface CommissionPlansTable {
  rep_id: string;
  /** The CommissionPlanSet's revision in the rep's stream: the log order of the rep's plans. */
  revision: number;
  plan_id: string;
  effective_from: CalendarDate;
  base_rate_bps: number;
  category_rates: ColumnType<{ category: string; rateBps: number }[], string, never>;
  tiers: ColumnType<{ thresholdMinor: number; rateBps: number }[], string, never>;
  tier_period: GoalPeriod | null;
  currency: string | null;
}

/** The latest goal of each rep and period. */
export interface GoalsTable {
  rep_id: string;
  period: GoalPeriod;
  period_start: CalendarDate;
  revenue_minor: number | null;
  currency: string | null;
  deals: number | null;
  calls: number | null;
}

/** Each line of each sale that has a rep, with its commission as computed when it was sold. */
export interface SaleLinesTable {
  customer_id: string;
  order_id: string;
  line_no: number;
  rep_id: string;
  currency: string;
  sold_on: CalendarDate;
  category: string | null;
  quantity: number;
  amount_minor: number;
  /** The plan in force on sold_on; null: no plan, no commission. */
  plan_id: string | null;
  /** How the commission was made up (amount, rate, rounded commission per part). */
  segments: ColumnType<Segment[], string, never>;
  commission_minor: number;
  /** Cumulative over the line's refunds. */
  refunded_minor: number;
  commission_reversed_minor: number;
}

/** Money per rep, currency and period (day, month, quarter, year; UTC). */
export interface SalesTotalsTable {
  rep_id: string;
  currency: string;
  period: PeriodKind;
  period_start: CalendarDate;
  /** Gross: sales dated in the period. Also the tier progress of the period (refunds do not lower it). */
  revenue_minor: number;
  /** Refunds dated in the period. */
  refunds_minor: number;
  net_revenue_minor: ColumnType<number, never, never>;
  /** Earned by the period's sales. */
  commission_minor: number;
  /** Taken back by the period's refunds. */
  commission_reversed_minor: number;
  commission_net_minor: ColumnType<number, never, never>;
  /** Purchases dated in the period. */
  deals: number;
}

/** Activity per rep and period: what the leaderboard counts besides money. */
export interface ActivityTotalsTable {
  rep_id: string;
  period: PeriodKind;
  period_start: CalendarDate;
  calls: number;
  leads_converted: number;
}

export interface SalesPerformanceTables {
  reps: RepsTable;
  customers: CustomersTable;
  commission_plans: CommissionPlansTable;
  goals: GoalsTable;
  sale_lines: SaleLinesTable;
  sales_totals: SalesTotalsTable;
  activity_totals: ActivityTotalsTable;
}

export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('reps')
      .addColumn('rep_id', 'text', (column) => column.primaryKey())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('name', 'text')
      .addColumn('team', 'text')
      .addColumn('region', 'text')
      .addColumn('active', 'boolean', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('customers')
      .addColumn('customer_id', 'text', (column) => column.primaryKey())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('owner_rep_id', 'text')
      .execute();
    await db.schema
      .createTable('commission_plans')
      .addColumn('rep_id', 'text', (column) => column.notNull())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('plan_id', 'text', (column) => column.notNull())
      .addColumn('effective_from', 'date', (column) => column.notNull())
      .addColumn('base_rate_bps', 'integer', (column) => column.notNull())
      .addColumn('category_rates', 'jsonb', (column) => column.notNull())
      .addColumn('tiers', 'jsonb', (column) => column.notNull())
      .addColumn('tier_period', 'text')
      .addColumn('currency', 'text')
      .addPrimaryKeyConstraint('commission_plans_pk', ['rep_id', 'revision'])
      .execute();
    await db.schema
      .createTable('goals')
      .addColumn('rep_id', 'text', (column) => column.notNull())
      .addColumn('period', 'text', (column) => column.notNull())
      .addColumn('period_start', 'date', (column) => column.notNull())
      .addColumn('revenue_minor', 'bigint')
      .addColumn('currency', 'text')
      .addColumn('deals', 'integer')
      .addColumn('calls', 'integer')
      .addPrimaryKeyConstraint('goals_pk', ['rep_id', 'period', 'period_start'])
      .execute();
    await db.schema
      .createTable('sale_lines')
      .addColumn('customer_id', 'text', (column) => column.notNull())
      .addColumn('order_id', 'text', (column) => column.notNull())
      .addColumn('line_no', 'integer', (column) => column.notNull())
      .addColumn('rep_id', 'text', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('sold_on', 'date', (column) => column.notNull())
      .addColumn('category', 'text')
      .addColumn('quantity', 'integer', (column) => column.notNull())
      .addColumn('amount_minor', 'bigint', (column) => column.notNull())
      .addColumn('plan_id', 'text')
      .addColumn('segments', 'jsonb', (column) => column.notNull())
      .addColumn('commission_minor', 'bigint', (column) => column.notNull())
      .addColumn('refunded_minor', 'bigint', (column) => column.notNull())
      .addColumn('commission_reversed_minor', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('sale_lines_pk', ['customer_id', 'order_id', 'line_no'])
      .execute();
    await db.schema.createIndex('sale_lines_by_rep').on('sale_lines').columns(['rep_id', 'sold_on']).execute();
    await db.schema
      .createTable('sales_totals')
      .addColumn('rep_id', 'text', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('period', 'text', (column) => column.notNull())
      .addColumn('period_start', 'date', (column) => column.notNull())
      .addColumn('revenue_minor', 'bigint', (column) => column.notNull())
      .addColumn('refunds_minor', 'bigint', (column) => column.notNull())
      .addColumn('net_revenue_minor', 'bigint', (column) => column.notNull().generatedAlwaysAs(sql`revenue_minor - refunds_minor`).stored())
      .addColumn('commission_minor', 'bigint', (column) => column.notNull())
      .addColumn('commission_reversed_minor', 'bigint', (column) => column.notNull())
      .addColumn('commission_net_minor', 'bigint', (column) =>
        column.notNull().generatedAlwaysAs(sql`commission_minor - commission_reversed_minor`).stored(),
      )
      .addColumn('deals', 'integer', (column) => column.notNull())
      // One rep's periods in order (commissions of a rep).
      .addPrimaryKeyConstraint('sales_totals_pk', ['rep_id', 'period', 'period_start', 'currency'])
      .execute();
    // One period across reps (leaderboard), and the keyset pages of every rep's commissions.
    await db.schema.createIndex('sales_totals_by_period').on('sales_totals').columns(['period', 'period_start', 'rep_id', 'currency']).execute();
    await db.schema
      .createTable('activity_totals')
      .addColumn('rep_id', 'text', (column) => column.notNull())
      .addColumn('period', 'text', (column) => column.notNull())
      .addColumn('period_start', 'date', (column) => column.notNull())
      .addColumn('calls', 'integer', (column) => column.notNull())
      .addColumn('leads_converted', 'integer', (column) => column.notNull())
      .addPrimaryKeyConstraint('activity_totals_pk', ['rep_id', 'period', 'period_start'])
      .execute();
    await db.schema.createIndex('activity_totals_by_period').on('activity_totals').columns(['period', 'period_start']).execute();
  },
};
