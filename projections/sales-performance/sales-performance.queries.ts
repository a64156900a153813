import { sql, type Kysely, type QueryCreator } from 'kysely';
import { GOAL_PERIODS, type GoalPeriod } from '#sales/domain';
import { isCalendarDate } from '#domain';
import type { FieldError } from '#http';
import { decodeCursor, encodeCursor, invalidCursor } from '#read-model-engine';
import { periodStart, today, type DateRange } from '../shared/calendar.js';
import { calendarDate, dateValue, withinDates } from '../shared/date-columns.js';
import { percentOf } from '../shared/money.js';
import { check, dateErrors, dateRangeErrors, integerErrors, oneOfErrors } from '../shared/parameters.js';
import { PERIOD_KINDS, type PeriodKind } from './commission.calc.js';
import type { SalesPerformanceTables } from './sales-performance.tables.js';

/** Periods of one kind, from the one containing `from` to the one containing `to` (calendar dates, inclusive). */
export interface PeriodRange extends DateRange {
  readonly period: PeriodKind;
}

export interface CommissionsPageQuery extends PeriodRange {
  /** Only reps of this team. */
  readonly team?: string;
  readonly limit: number;
  /** From the previous page's `nextCursor` (of the same period kind). */
  readonly cursor?: string;
}

/** One rep's money in one currency and period; amounts in minor units. */
export interface CommissionTotals {
  readonly repId: string;
  readonly repName: string | null;
  readonly team: string | null;
  readonly period: PeriodKind;
  /** First day of the period, `YYYY-MM-DD`. */
  readonly periodStart: string;
  readonly currency: string;
  /** Gross: sales dated in the period. */
  readonly revenueMinor: number;
  /** Refunds dated in the period. */
  readonly refundsMinor: number;
  readonly netRevenueMinor: number;
  /** Earned by the period's sales. */
  readonly commissionMinor: number;
  /** Taken back by the period's refunds. */
  readonly commissionReversedMinor: number;
  readonly commissionNetMinor: number;
  readonly deals: number;
}

export interface CommissionsPage {
  readonly items: CommissionTotals[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

export interface LeaderboardQuery {
  readonly period: PeriodKind;
  /** A calendar date inside the period; default today (UTC). */
  readonly date?: string;
  readonly team?: string;
  /** Rank the money of this currency only; default every currency sold in the period, each ranked on its own. */
  readonly currency?: string;
}

export interface GoalTargets {
  readonly revenueMinor: number | null;
  readonly currency: string | null;
  readonly deals: number | null;
  readonly calls: number | null;
}

/** Percent of each target reached, one decimal; null where the goal sets no such target. */
export interface Attainment {
  /** Net revenue in the goal's currency against its revenue target. */
  readonly revenuePct: number | null;
  /** Deals in every currency against the deals target. */
  readonly dealsPct: number | null;
  readonly callsPct: number | null;
}

export interface LeaderboardEntry {
  /** 1 = best: net revenue, then deals, then rep id; within each currency. */
  readonly rank: number;
  readonly repId: string;
  readonly name: string | null;
  readonly team: string | null;
  readonly region: string | null;
  readonly active: boolean;
  /** Null only when nothing was sold in the period and no currency was asked for. */
  readonly currency: string | null;
  readonly revenueMinor: number;
  readonly netRevenueMinor: number;
  /** Deals in this currency. */
  readonly deals: number;
  readonly calls: number;
  readonly leadsConverted: number;
  /** The rep's goal for this period (months, quarters and years have goals; days do not). */
  readonly goal: GoalTargets | null;
  readonly attainment: Attainment | null;
}

export interface Leaderboard {
  readonly period: PeriodKind;
  readonly periodStart: string;
  readonly items: LeaderboardEntry[];
}

export interface GoalProgressQuery {
  readonly period?: GoalPeriod;
  /** Goals of periods starting on or after this date (inclusive). */
  readonly from?: string;
  /** Goals of periods starting on or before this date (inclusive). */
  readonly to?: string;
}

export interface GoalProgress {
  readonly period: GoalPeriod;
  readonly periodStart: string;
  readonly goal: GoalTargets;
  /** Net revenue in the goal's currency (0 without a revenue target). */
  readonly netRevenueMinor: number;
  /** Deals in every currency. */
  readonly deals: number;
  readonly calls: number;
  readonly leadsConverted: number;
  readonly attainment: Attainment;
}

const MAX_PAGE_SIZE = 1_000;

/**
 * Reads the sales-performance read model: commission totals per rep and period, the leaderboard
 * and goal progress. Inputs are checked here (a 400 naming the field), as the other read models do.
 */
export class SalesPerformanceQueries {
  private readonly db: Kysely<SalesPerformanceTables>;

  /** `db`: any Kysely over the database; `schema`: the projection version's schema to read (the active one, for the API). */
  constructor(db: { withSchema(schema: string): object }, schema: string) {
    this.db = db.withSchema(schema) as Kysely<SalesPerformanceTables>;
  }

  /** Whether the rep was onboarded (a rep only seen on sales or calls is not). */
  async repOnboarded(repId: string): Promise<boolean> {
    const row = await this.db.selectFrom('reps').select('name').where('rep_id', '=', repId).executeTakeFirst();
    return row !== undefined && row.name !== null;
  }

  /** One rep's totals per period and currency, oldest period first. */
  async repCommissions(repId: string, range: PeriodRange): Promise<CommissionTotals[]> {
    check(rangeErrors(range));
    return this.totals(range).where('t.rep_id', '=', repId).orderBy('t.period_start').orderBy('t.currency').execute();
  }

  /** Every rep's totals per period and currency, in keyset pages on (period start, rep id, currency). */
  async commissions(query: CommissionsPageQuery): Promise<CommissionsPage> {
    check([...rangeErrors(query), ...integerErrors('limit', query.limit, 1, MAX_PAGE_SIZE)]);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, (json) => readCursor(json, query.period));
    let select = this.totals(query).orderBy('t.period_start').orderBy('t.rep_id').orderBy('t.currency').limit(query.limit + 1);
    if (query.team !== undefined) select = select.where('r.team', '=', query.team);
    if (after !== undefined) {
      select = select.where((eb) =>
        eb(eb.refTuple('t.period_start', 't.rep_id', 't.currency'), '>', eb.tuple(dateValue(after.periodStart), after.repId, after.currency)),
      );
    }
    const rows = await select.execute();
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor([last.period, last.periodStart, last.repId, last.currency]) : null };
  }

  /**
   * The reps of a period ranked by net revenue (then deals, then rep id), per currency: every rep
   * with sales or activity in the period plus every active rep, of `team` when given.
   */
  async leaderboard(query: LeaderboardQuery): Promise<Leaderboard> {
    check([...oneOfErrors('period', query.period, PERIOD_KINDS), ...dateErrors('date', query.date)]);
    const { period, team } = query;
    const start = periodStart(period, query.date ?? today());
    const currencies = query.currency !== undefined ? [query.currency] : await this.currenciesSold(period, start, team);

    let select = this.db
      .with('all_deals', (db) => this.dealsInEveryCurrency(db).where('period', '=', period).where('period_start', '=', dateValue(start)))
      .with('board', (db) =>
        db
          .selectFrom('sales_totals')
          .select('rep_id')
          .where('period', '=', period)
          .where('period_start', '=', dateValue(start))
          .union(db.selectFrom('activity_totals').select('rep_id').where('period', '=', period).where('period_start', '=', dateValue(start)))
          .union(db.selectFrom('reps').select('rep_id').where('active', '=', true)),
      )
      // Nothing sold and no currency asked for: one null currency, so the board still lists activity.
      .with('currencies', () => sql<{ currency: string | null }>`(select unnest(${currencies.length === 0 ? [null] : currencies}::text[]) as currency)`)
      .selectFrom('board as b')
      .crossJoin('currencies as c')
      .leftJoin('reps as r', 'r.rep_id', 'b.rep_id')
      .leftJoin('sales_totals as s', (join) =>
        join.onRef('s.rep_id', '=', 'b.rep_id').onRef('s.currency', '=', 'c.currency').on('s.period', '=', period).on('s.period_start', '=', dateValue(start)),
      )
      .leftJoin('activity_totals as a', (join) => join.onRef('a.rep_id', '=', 'b.rep_id').on('a.period', '=', period).on('a.period_start', '=', dateValue(start)))
      // Days have no goals: 'day' matches no goal row.
      .leftJoin('goals as g', (join) =>
        join.onRef('g.rep_id', '=', 'b.rep_id').on('g.period', '=', sql<GoalPeriod>`${period}`).on('g.period_start', '=', dateValue(start)),
      )
      .leftJoin('all_deals as d', 'd.rep_id', 'b.rep_id')
      .select((eb) => [
        'b.rep_id',
        'r.name',
        'r.team',
        'r.region',
        eb.fn.coalesce('r.active', sql<boolean>`false`).as('active'),
        'c.currency',
        eb.fn.coalesce('s.revenue_minor', sql<number>`0`).as('revenue_minor'),
        eb.fn.coalesce('s.net_revenue_minor', sql<number>`0`).as('net_revenue_minor'),
        eb.fn.coalesce('s.deals', sql<number>`0`).as('deals'),
        eb.fn.coalesce('d.deals', sql<number>`0`).as('all_deals'),
        eb.fn.coalesce('a.calls', sql<number>`0`).as('calls'),
        eb.fn.coalesce('a.leads_converted', sql<number>`0`).as('leads_converted'),
        eb.ref('g.rep_id').as('goal_rep_id'),
        eb.ref('g.revenue_minor').as('goal_revenue_minor'),
        eb.ref('g.currency').as('goal_currency'),
        eb.ref('g.deals').as('goal_deals'),
        eb.ref('g.calls').as('goal_calls'),
        sql<number>`rank() over (partition by c.currency order by coalesce(s.net_revenue_minor, 0) desc, coalesce(s.deals, 0) desc, b.rep_id)`.as('rank'),
      ])
      .orderBy('c.currency')
      .orderBy('rank');
    // Filtered before ranking: a team's board ranks the team.
    if (team !== undefined) select = select.where('r.team', '=', team);
    const rows = await select.execute();
    return {
      period,
      periodStart: start,
      items: rows.map((row) => {
        const goal = row.goal_rep_id === null ? null : targetsOf(row.goal_revenue_minor, row.goal_currency, row.goal_deals, row.goal_calls);
        return {
          rank: row.rank,
          repId: row.rep_id,
          name: row.name,
          team: row.team,
          region: row.region,
          active: row.active,
          currency: row.currency,
          revenueMinor: row.revenue_minor,
          netRevenueMinor: row.net_revenue_minor,
          deals: row.deals,
          calls: row.calls,
          leadsConverted: row.leads_converted,
          goal,
          // Revenue against a target in another currency is no attainment at all.
          attainment: goal === null ? null : attainmentOf(goal, goal.currency === row.currency ? row.net_revenue_minor : null, row.all_deals, row.calls),
        };
      }),
    };
  }

  /** A rep's goals, oldest period first, with what the rep achieved in each period. */
  async goalProgress(repId: string, query: GoalProgressQuery = {}): Promise<GoalProgress[]> {
    check([
      ...(query.period === undefined ? [] : oneOfErrors('period', query.period, GOAL_PERIODS)),
      ...dateErrors('from', query.from),
      ...dateErrors('to', query.to),
    ]);
    let select = this.db
      .with('all_deals', (db) => this.dealsInEveryCurrency(db).where('rep_id', '=', repId))
      .selectFrom('goals as g')
      .leftJoin('sales_totals as s', (join) =>
        join.onRef('s.rep_id', '=', 'g.rep_id').onRef('s.currency', '=', 'g.currency').onRef('s.period', '=', 'g.period').onRef('s.period_start', '=', 'g.period_start'),
      )
      .leftJoin('all_deals as d', (join) => join.onRef('d.period', '=', 'g.period').onRef('d.period_start', '=', 'g.period_start'))
      .leftJoin('activity_totals as a', (join) =>
        join.onRef('a.rep_id', '=', 'g.rep_id').onRef('a.period', '=', 'g.period').onRef('a.period_start', '=', 'g.period_start'),
      )
      .select((eb) => [
        'g.period',
        calendarDate('g.period_start').as('period_start'),
        'g.revenue_minor',
        'g.currency',
        'g.deals',
        'g.calls',
        eb.fn.coalesce('s.net_revenue_minor', sql<number>`0`).as('net_revenue_minor'),
        eb.fn.coalesce('d.deals', sql<number>`0`).as('actual_deals'),
        eb.fn.coalesce('a.calls', sql<number>`0`).as('actual_calls'),
        eb.fn.coalesce('a.leads_converted', sql<number>`0`).as('leads_converted'),
      ])
      .where('g.rep_id', '=', repId)
      .orderBy('g.period_start')
      .orderBy('g.period');
    if (query.period !== undefined) select = select.where('g.period', '=', query.period);
    if (query.from !== undefined) select = select.where('g.period_start', '>=', dateValue(query.from));
    if (query.to !== undefined) select = select.where('g.period_start', '<=', dateValue(query.to));
    const rows = await select.execute();
    return rows.map((row) => {
      const goal = targetsOf(row.revenue_minor, row.currency, row.deals, row.calls);
      return {
        period: row.period,
        periodStart: row.period_start,
        goal,
        netRevenueMinor: row.net_revenue_minor,
        deals: row.actual_deals,
        calls: row.actual_calls,
        leadsConverted: row.leads_converted,
        attainment: attainmentOf(goal, row.net_revenue_minor, row.actual_deals, row.actual_calls),
      };
    });
  }

  /** The totals rows of a range, with the rep's name and team, as {@link CommissionTotals}. */
  private totals(range: PeriodRange) {
    return this.db
      .selectFrom('sales_totals as t')
      .leftJoin('reps as r', 'r.rep_id', 't.rep_id')
      .select([
        't.rep_id as repId',
        'r.name as repName',
        'r.team',
        't.period',
        calendarDate('t.period_start').as('periodStart'),
        't.currency',
        't.revenue_minor as revenueMinor',
        't.refunds_minor as refundsMinor',
        't.net_revenue_minor as netRevenueMinor',
        't.commission_minor as commissionMinor',
        't.commission_reversed_minor as commissionReversedMinor',
        't.commission_net_minor as commissionNetMinor',
        't.deals',
      ])
      .where('t.period', '=', range.period)
      .where(withinDates('t.period_start', { from: periodStart(range.period, range.from), to: range.to }));
  }

  private currenciesSold(period: PeriodKind, start: string, team: string | undefined): Promise<string[]> {
    let select = this.db
      .selectFrom('sales_totals as s')
      .leftJoin('reps as r', 'r.rep_id', 's.rep_id')
      .select('s.currency')
      .distinct()
      .where('s.period', '=', period)
      .where('s.period_start', '=', dateValue(start))
      .orderBy('s.currency');
    if (team !== undefined) select = select.where('r.team', '=', team);
    return select.execute().then((rows) => rows.map((row) => row.currency));
  }

  /** Deals per rep and period summed over currencies: a deals target counts every deal. */
  private dealsInEveryCurrency(db: QueryCreator<SalesPerformanceTables>) {
    return db
      .selectFrom('sales_totals')
      .select((eb) => ['rep_id', 'period', 'period_start', eb.fn.sum<number>('deals').as('deals')])
      .groupBy(['rep_id', 'period', 'period_start']);
  }
}

function targetsOf(revenueMinor: number | null, currency: string | null, deals: number | null, calls: number | null): GoalTargets {
  return { revenueMinor, currency, deals, calls };
}

/** `netRevenueMinor`: in the goal's currency, null when there is none to compare. */
function attainmentOf(goal: GoalTargets, netRevenueMinor: number | null, deals: number, calls: number): Attainment {
  return {
    revenuePct: netRevenueMinor === null ? null : percentOf(netRevenueMinor, goal.revenueMinor),
    dealsPct: percentOf(deals, goal.deals),
    callsPct: percentOf(calls, goal.calls),
  };
}

/** What is wrong with a range of periods, field by field. */
function rangeErrors(range: PeriodRange): FieldError[] {
  return [...oneOfErrors('period', range.period, PERIOD_KINDS), ...dateRangeErrors(range)];
}

/** Where a page ended: the last row's period start, rep id and currency. */
interface After {
  readonly periodStart: string;
  readonly repId: string;
  readonly currency: string;
}

/** The key of a commissions cursor, `[period, periodStart, repId, currency]`, checked; it continues `period` only. */
function readCursor(json: unknown, period: PeriodKind): After {
  if (!Array.isArray(json) || json.length !== 4 || !json.every((part) => typeof part === 'string')) throw invalidCursor('not a commissions cursor');
  const [kind, start, repId, currency] = json as string[];
  if (kind !== period) throw invalidCursor(`it continues period=${kind}`);
  if (!isCalendarDate(start) || repId === '' || currency === '') throw invalidCursor('bad position');
  return { periodStart: start, repId, currency };
}
