import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { customerIdOfStream, toCustomerEvent, type PurchaseLine, type RefundLine } from '#customers/domain';
import { repIdOfStream, toRepEvent, type GoalPeriod } from '#sales/domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#read-model-engine';
import { addInto, anyOf, appendTo, byKeys, distinct, inRows, insertRows, keyOf } from '#postgres';
import { periodStart, utcDate } from '../shared/calendar.js';
import { calendarDate } from '../shared/date-columns.js';
import { inForceOn } from '../shared/in-force.js';
import { lineAmount } from '../shared/money.js';
import { PERIOD_KINDS, TIER_PERIODS, lineCommission, refundReversal, tierPeriodFor, totalCommission, type Plan } from './commission.calc.js';
import { textOrNull as text } from '../shared/personal-values.js';
import {
  initial,
  type ActivityTotalsTable,
  type CustomersTable,
  type GoalsTable,
  type RepsTable,
  type SaleLinesTable,
  type SalesPerformanceTables,
  type SalesTotalsTable,
} from './sales-performance.tables.js';

export const SALES_PERFORMANCE = 'sales-performance';

/**
 * Commissions, revenue and activity per sales rep and period, for commission reports and the
 * leaderboard. The rules:
 *
 * - A sale belongs to its `repId`, else to the customer's owner when it was recorded (the
 *   projection follows CustomerRegistered.ownerRepId and OwnerAssigned). Sales without a rep are
 *   left out entirely; a refund belongs to the rep of the sale lines it refunds.
 * - A line's commission is computed once, when it is sold, and stored per line: a later plan never
 *   changes it. See commission.calc.ts for rates, tiers and rounding (the plan in force: inForceOn). Tier
 *   progress is the rep's gross revenue in the plan's currency within the tier period, in log order
 *   of the sales (the sales_totals revenue of that period), counting every sale of the rep, with or
 *   without a plan.
 * - A refund takes back its share of each refunded line's commission, counted (like the refunded
 *   amount) in the periods of refundedAt; it leaves tier progress and deal counts alone.
 * - Periods are UTC calendar days, months, quarters and years of the event's business time.
 * - Calls count for CallLogged.repId; a conversion for the customer's owner at that moment.
 *
 * A batch is applied with a few SELECTs (the state its events need), pure computation in log order,
 * and one multi-row statement per table. Each stream's events are applied once: rows keep the last
 * revision applied of every customer and rep stream, so a replayed event changes nothing.
 */
export const salesPerformanceProjection: Projection<SalesPerformanceTables> = {
  name: SALES_PERFORMANCE,
  version: 1,
  migrations: { '0001-sales-performance': initial },
  async apply(db, events) {
    const decoded = decode(events, await loadStreams(db, events));
    const changes = compute(decoded.facts, await loadSalesState(db, decoded.facts));
    await write(db, decoded, changes);
  },
};

/** Rows of these tables as read and written here (dates as `YYYY-MM-DD`, JSON as text). */
type RepRow = Selectable<RepsTable>;
type CustomerRow = Selectable<CustomersTable>;
type LineRow = Required<Insertable<SaleLinesTable>>;

interface SaleFact {
  readonly kind: 'sale';
  readonly customerId: string;
  readonly orderId: string;
  readonly repId: string;
  readonly soldOn: string;
  readonly currency: string;
  readonly lines: readonly PurchaseLine[];
}

interface RefundFact {
  readonly kind: 'refund';
  readonly customerId: string;
  readonly orderId: string;
  readonly refundedOn: string;
  readonly lines: readonly RefundLine[];
}

interface PlanFact {
  readonly kind: 'plan';
  readonly repId: string;
  readonly revision: number;
  readonly plan: Plan;
}

/** What commissions depend on, in log order: a plan applies to the sales after it in the log. */
type Fact = SaleFact | RefundFact | PlanFact;

interface Streams {
  readonly customers: Map<string, CustomerRow>;
  readonly reps: Map<string, RepRow>;
}

interface Decoded extends Streams {
  readonly facts: Fact[];
  readonly goals: Map<string, Insertable<GoalsTable>>;
  readonly activity: Map<string, Insertable<ActivityTotalsTable>>;
}

/** The state of the batch's customer and rep streams: owners, profiles, revisions applied. */
async function loadStreams(db: Kysely<SalesPerformanceTables>, events: readonly RecordedEvent[]): Promise<Streams> {
  const customerIds = distinct(events.map((event) => customerIdOfStream(event.streamId)));
  const repIds = distinct(events.map((event) => repIdOfStream(event.streamId)));
  const [customers, reps] = await Promise.all([
    byKeys(customerIds, (ids) => db.selectFrom('customers').selectAll().where('customer_id', '=', anyOf(ids)).execute()),
    byKeys(repIds, (ids) => db.selectFrom('reps').selectAll().where('rep_id', '=', anyOf(ids)).execute()),
  ]);
  return { customers: new Map(customers.map((row) => [row.customer_id, row])), reps: new Map(reps.map((row) => [row.rep_id, row])) };
}

/**
 * Walks the batch in log order: follows owners and rep profiles, keeps the latest goals, counts
 * calls and conversions, and lists the facts commissions depend on with their rep resolved.
 */
function decode(events: readonly RecordedEvent[], streams: Streams): Decoded {
  const decoded: Decoded = { ...streams, facts: [], goals: new Map(), activity: new Map() };
  const credit = (repId: string, time: string, counter: 'calls' | 'leads_converted') => {
    const on = utcDate(time);
    for (const period of PERIOD_KINDS) {
      const start = periodStart(period, on);
      addInto(decoded.activity, keyOf(repId, period, start), () => ({ rep_id: repId, period, period_start: start, calls: 0, leads_converted: 0 }), { [counter]: 1 });
    }
  };
  for (const event of events) {
    const customerId = customerIdOfStream(event.streamId);
    const repId = repIdOfStream(event.streamId);
    if (customerId !== undefined) {
      const customer = streams.customers.get(customerId) ?? { customer_id: customerId, revision: -1, owner_rep_id: null };
      if (event.revision <= customer.revision) continue;
      const customerEvent = toCustomerEvent(event);
      let owner = customer.owner_rep_id;
      switch (customerEvent?.type) {
        case 'CustomerRegistered':
          owner = customerEvent.data.ownerRepId ?? null;
          break;
        case 'OwnerAssigned':
          owner = customerEvent.data.repId;
          break;
        case 'CallLogged':
          credit(customerEvent.data.repId, customerEvent.data.occurredAt, 'calls');
          break;
        case 'LeadConverted':
          if (owner !== null) credit(owner, customerEvent.data.convertedAt, 'leads_converted');
          break;
        case 'PurchaseRecorded': {
          const { orderId, lines, currency, purchasedAt } = customerEvent.data;
          const saleRep = customerEvent.data.repId ?? owner;
          if (saleRep !== null) decoded.facts.push({ kind: 'sale', customerId, orderId, repId: saleRep, soldOn: utcDate(purchasedAt), currency, lines });
          break;
        }
        case 'RefundRecorded': {
          const { orderId, lines, refundedAt } = customerEvent.data;
          decoded.facts.push({ kind: 'refund', customerId, orderId, refundedOn: utcDate(refundedAt), lines });
          break;
        }
        default:
          break;
      }
      streams.customers.set(customerId, { customer_id: customerId, revision: event.revision, owner_rep_id: owner });
    } else if (repId !== undefined) {
      const rep = streams.reps.get(repId) ?? { rep_id: repId, revision: -1, name: null, team: null, region: null, active: false };
      if (event.revision <= rep.revision) continue;
      const repEvent = toRepEvent(event);
      let profile: Omit<RepRow, 'rep_id' | 'revision'> = rep;
      switch (repEvent?.type) {
        case 'RepOnboarded': {
          const { name, team, region } = repEvent.data;
          profile = { name: text(name), team: text(team), region: text(region), active: true };
          break;
        }
        case 'RepDeactivated':
          profile = { ...rep, active: false };
          break;
        case 'CommissionPlanSet': {
          const { planId, effectiveFrom, baseRateBps, categoryRates, tiers, tierPeriod, currency } = repEvent.data;
          decoded.facts.push({
            kind: 'plan',
            repId,
            revision: event.revision,
            plan: { planId, effectiveFrom, baseRateBps, categoryRates, tiers, tierPeriod, currency },
          });
          break;
        }
        case 'GoalSet': {
          const { period, revenueMinor, currency, deals, calls } = repEvent.data;
          // Normalised to the period's first day, so the goal meets the totals of its period.
          const start = periodStart(period, repEvent.data.periodStart);
          decoded.goals.set(keyOf(repId, period, start), {
            rep_id: repId,
            period,
            period_start: start,
            revenue_minor: revenueMinor ?? null,
            currency: currency ?? null,
            deals: deals ?? null,
            calls: calls ?? null,
          });
          break;
        }
        default:
          break;
      }
      streams.reps.set(repId, { ...profile, rep_id: repId, revision: event.revision });
    }
  }
  return decoded;
}

const LINE_COLUMNS = [
  'customer_id',
  'order_id',
  'line_no',
  'rep_id',
  'currency',
  'category',
  'quantity',
  'amount_minor',
  'plan_id',
  'commission_minor',
  'refunded_minor',
  'commission_reversed_minor',
] as const satisfies readonly (keyof SaleLinesTable)[];

/** What computing the batch's commissions needs from earlier batches. */
interface SalesState {
  /** Each rep's plans, in log order. */
  readonly plans: Map<string, Plan[]>;
  /** Gross revenue so far by (rep, currency, tier period, period start): tier progress. */
  readonly revenue: Map<string, number>;
  /** Sale lines by (customer, order, line no): those of the batch's refunded orders, and the batch's own sales. */
  readonly lines: Map<string, LineRow>;
}

async function loadSalesState(db: Kysely<SalesPerformanceTables>, facts: readonly Fact[]): Promise<SalesState> {
  const sales = facts.filter((fact) => fact.kind === 'sale');
  const refunds = facts.filter((fact) => fact.kind === 'refund');
  const progressKeys = sales.flatMap((sale) => TIER_PERIODS.map((period) => [sale.repId, sale.currency, period, periodStart(period, sale.soldOn)]));
  const repIds = distinct(sales.map((sale) => sale.repId));
  const [plans, revenue, lines] = await Promise.all([
    byKeys(repIds, (ids) =>
      db
        .selectFrom('commission_plans')
        .select(['rep_id', 'plan_id', 'base_rate_bps', 'category_rates', 'tiers', 'tier_period', 'currency'])
        .select(calendarDate('effective_from').as('effective_from'))
        .where('rep_id', '=', anyOf(ids))
        .orderBy('rep_id')
        .orderBy('revision')
        .execute(),
    ),
    byKeys(progressKeys, (keys) =>
      db
        .selectFrom('sales_totals')
        .select(['rep_id', 'currency', 'period', 'revenue_minor'])
        .select(calendarDate('period_start').as('period_start'))
        .where(inRows(['rep_id', 'currency', 'period', ['period_start', 'date']], keys))
        .execute(),
    ),
    byKeys(
      refunds.map((refund) => [refund.customerId, refund.orderId]),
      (orders) =>
        db
          .selectFrom('sale_lines')
          .select(LINE_COLUMNS)
          .select(calendarDate('sold_on').as('sold_on'))
          .select(sql<string>`segments::text`.as('segments'))
          .where(inRows(['customer_id', 'order_id'], orders))
          .execute(),
    ),
  ]);
  const state: SalesState = { plans: new Map(), revenue: new Map(), lines: new Map() };
  for (const row of plans) {
    const plan: Plan = {
      planId: row.plan_id,
      effectiveFrom: row.effective_from,
      baseRateBps: row.base_rate_bps,
      categoryRates: row.category_rates,
      tiers: row.tiers,
      tierPeriod: row.tier_period ?? undefined,
      currency: row.currency ?? undefined,
    };
    appendTo(state.plans, row.rep_id, plan);
  }
  for (const row of revenue) state.revenue.set(keyOf(row.rep_id, row.currency, row.period, row.period_start), row.revenue_minor);
  for (const row of lines) state.lines.set(keyOf(row.customer_id, row.order_id, String(row.line_no)), row);
  return state;
}

type TotalsRow = Insertable<SalesTotalsTable>;
type SalesSums = Pick<TotalsRow, 'revenue_minor' | 'refunds_minor' | 'commission_minor' | 'commission_reversed_minor' | 'deals'>;

interface Changes {
  readonly plans: Insertable<SalesPerformanceTables['commission_plans']>[];
  /** New or refunded lines, whole. */
  readonly lines: Map<string, LineRow>;
  /** Amounts to add to sales_totals. */
  readonly totals: Map<string, TotalsRow>;
}

/** The batch's commissions, refunds and totals, fact by fact in log order (pure but for `state`, which it advances). */
function compute(facts: readonly Fact[], state: SalesState): Changes {
  const changes: Changes = { plans: [], lines: new Map(), totals: new Map() };
  const add = (repId: string, currency: string, on: string, sums: Partial<SalesSums>) => {
    for (const period of PERIOD_KINDS) {
      const start = periodStart(period, on);
      addInto(
        changes.totals,
        keyOf(repId, currency, period, start),
        () => ({ rep_id: repId, currency, period, period_start: start, revenue_minor: 0, refunds_minor: 0, commission_minor: 0, commission_reversed_minor: 0, deals: 0 }),
        sums,
      );
    }
  };
  for (const fact of facts) {
    switch (fact.kind) {
      case 'plan': {
        appendTo(state.plans, fact.repId, fact.plan);
        const { planId, effectiveFrom, baseRateBps, categoryRates, tiers, tierPeriod, currency } = fact.plan;
        changes.plans.push({
          rep_id: fact.repId,
          revision: fact.revision,
          plan_id: planId,
          effective_from: effectiveFrom,
          base_rate_bps: baseRateBps,
          category_rates: JSON.stringify(categoryRates),
          tiers: JSON.stringify(tiers),
          tier_period: tierPeriod ?? null,
          currency: currency ?? null,
        });
        break;
      }
      case 'sale': {
        const { customerId, orderId, repId, soldOn, currency } = fact;
        const plan = inForceOn(state.plans.get(repId) ?? [], soldOn);
        const tierPeriod = plan === undefined ? undefined : tierPeriodFor(plan, currency);
        const progressKey = (period: GoalPeriod) => keyOf(repId, currency, period, periodStart(period, soldOn));
        add(repId, currency, soldOn, { deals: 1 });
        for (const line of fact.lines) {
          const amount = lineAmount(line.quantity, line.unitPriceMinor);
          const progress = tierPeriod === undefined ? 0 : (state.revenue.get(progressKey(tierPeriod)) ?? 0);
          const segments = plan === undefined ? [] : lineCommission(plan, { amountMinor: amount, category: line.category, currency }, progress);
          const commission = totalCommission(segments);
          for (const period of TIER_PERIODS) state.revenue.set(progressKey(period), (state.revenue.get(progressKey(period)) ?? 0) + amount);
          add(repId, currency, soldOn, { revenue_minor: amount, commission_minor: commission });
          const row: LineRow = {
            customer_id: customerId,
            order_id: orderId,
            line_no: line.lineNo,
            rep_id: repId,
            currency,
            sold_on: soldOn,
            category: line.category ?? null,
            quantity: line.quantity,
            amount_minor: amount,
            plan_id: plan?.planId ?? null,
            segments: JSON.stringify(segments),
            commission_minor: commission,
            refunded_minor: 0,
            commission_reversed_minor: 0,
          };
          const key = keyOf(customerId, orderId, String(line.lineNo));
          state.lines.set(key, row);
          changes.lines.set(key, row);
        }
        break;
      }
      case 'refund':
        for (const refunded of fact.lines) {
          const key = keyOf(fact.customerId, fact.orderId, String(refunded.lineNo));
          const line = state.lines.get(key);
          // No line: the sale had no rep, so neither has its refund.
          if (line === undefined) continue;
          const reversed = refundReversal(
            { amountMinor: line.amount_minor, commissionMinor: line.commission_minor, commissionReversedMinor: line.commission_reversed_minor },
            refunded.amountMinor,
          );
          const row: LineRow = {
            ...line,
            refunded_minor: line.refunded_minor + refunded.amountMinor,
            commission_reversed_minor: line.commission_reversed_minor + reversed,
          };
          state.lines.set(key, row);
          changes.lines.set(key, row);
          add(line.rep_id, line.currency, fact.refundedOn, { refunds_minor: refunded.amountMinor, commission_reversed_minor: reversed });
        }
        break;
    }
  }
  return changes;
}

async function write(db: Kysely<SalesPerformanceTables>, decoded: Decoded, changes: Changes): Promise<void> {
  await insertRows(db, 'customers', [...decoded.customers.values()], { key: ['customer_id'], set: ['revision', 'owner_rep_id'] });
  await insertRows(db, 'reps', [...decoded.reps.values()], { key: ['rep_id'], set: ['revision', 'name', 'team', 'region', 'active'] });
  // Each plan is applied once (the rep's revision guards it): a conflict would be a bug, so it fails.
  await insertRows(db, 'commission_plans', changes.plans);
  await insertRows(db, 'goals', [...decoded.goals.values()], { key: ['rep_id', 'period', 'period_start'], set: ['revenue_minor', 'currency', 'deals', 'calls'] });
  // New lines are inserted; refunded ones only move their refund columns (computed from the row read).
  await insertRows(db, 'sale_lines', [...changes.lines.values()], {
    key: ['customer_id', 'order_id', 'line_no'],
    set: ['refunded_minor', 'commission_reversed_minor'],
  });
  await insertRows(db, 'sales_totals', [...changes.totals.values()], {
    key: ['rep_id', 'period', 'period_start', 'currency'],
    add: ['revenue_minor', 'refunds_minor', 'commission_minor', 'commission_reversed_minor', 'deals'],
  });
  await insertRows(db, 'activity_totals', [...decoded.activity.values()], { key: ['rep_id', 'period', 'period_start'], add: ['calls', 'leads_converted'] });
}

