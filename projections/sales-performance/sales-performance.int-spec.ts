import { randomUUID } from 'node:crypto';
import { repStream, type CommissionPlanSetData, type GoalSetData, type RepEvent } from '#sales/domain';
import { type CustomerEvent, type PurchaseLine } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { problemOf, ProjectionTestbed, recordedCustomerEvents, recordedEvents, type TablesDump } from '#testing';
import { salesPerformanceProjection } from './sales-performance.projection.js';
import { SalesPerformanceQueries, type CommissionTotals } from './sales-performance.queries.js';
import type { SalesPerformanceTables } from './sales-performance.tables.js';

// ---- the log ---------------------------------------------------------------------------------

const recordedAt = () => new Date('2026-03-10T00:00:00.000Z');
const customer = (customerId: string) => recordedCustomerEvents(customerId, recordedAt);
const rep = (repId: string) => recordedEvents<RepEvent>(repStream(repId), recordedAt);

const onboarded = (name: string, team: string, region: string): RepEvent => ({
  type: 'RepOnboarded',
  data: { name, email: `${name.toLowerCase()}@example.com`, team, region, startDate: '2025-12-01', onboardedAt: '2025-12-01T09:00:00.000Z' },
});
const deactivated = (deactivatedAt: string): RepEvent => ({ type: 'RepDeactivated', data: { deactivatedAt } });
const plan = (planId: string, effectiveFrom: string, baseRateBps: number, rest: Partial<CommissionPlanSetData> = {}): RepEvent => ({
  type: 'CommissionPlanSet',
  data: { planId, effectiveFrom, baseRateBps, categoryRates: [], tiers: [], setAt: '2026-01-01T00:00:00.000Z', ...rest },
});
const goal = (period: GoalSetData['period'], periodStart: string, targets: Partial<GoalSetData>): RepEvent => ({
  type: 'GoalSet',
  data: { period, periodStart, setAt: '2026-01-01T00:00:00.000Z', ...targets },
});

const registered = (customerId: string, ownerRepId?: string): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: { customerId, stage: 'lead', source: 'api', contact: { name: 'Ada' }, tags: [], ...(ownerRepId === undefined ? {} : { ownerRepId }), registeredAt: '2026-01-02T10:00:00.000Z' },
});
const assigned = (repId: string, assignedAt: string): CustomerEvent => ({ type: 'OwnerAssigned', data: { repId, assignedAt } });
const converted = (convertedAt: string): CustomerEvent => ({ type: 'LeadConverted', data: { fromStage: 'lead', convertedAt } });
const call = (repId: string, occurredAt: string): CustomerEvent => ({
  type: 'CallLogged',
  data: { callId: randomUUID(), direction: 'outbound', durationSeconds: 60, outcome: 'connected', repId, occurredAt },
});
/** Lines as [quantity, unit price, category?]. */
const purchase = (
  orderId: string,
  purchasedAt: string,
  lines: [number, number, string?][],
  { repId, currency = 'EUR' }: { repId?: string; currency?: string } = {},
): CustomerEvent => {
  const purchaseLines: PurchaseLine[] = lines.map(([quantity, unitPriceMinor, category], i) => ({
    lineNo: i + 1,
    productSku: `SKU-${i + 1}`,
    quantity,
    unitPriceMinor,
    currency,
    ...(category === undefined ? {} : { category }),
  }));
  const totalMinor = lines.reduce((sum, [quantity, price]) => sum + quantity * price, 0);
  return { type: 'PurchaseRecorded', data: { orderId, lines: purchaseLines, currency, totalMinor, ...(repId === undefined ? {} : { repId }), purchasedAt } };
};
/** Lines as [line no, quantity, amount]. */
const refund = (orderId: string, refundedAt: string, lines: [number, number, number][]): CustomerEvent => ({
  type: 'RefundRecorded',
  data: {
    refundId: randomUUID(),
    orderId,
    lines: lines.map(([lineNo, quantity, amountMinor]) => ({ lineNo, quantity, amountMinor })),
    currency: 'EUR',
    totalMinor: lines.reduce((sum, [, , amount]) => sum + amount, 0),
    refundedAt,
  },
});

const alice = rep('alice');
const bob = rep('bob');
const carol = rep('carol');
const c1 = customer('c1');
const c2 = customer('c2');
const c3 = customer('c3');

/** January 2026 and its refunds, in log order. The expected figures below are worked out by hand. */
const LOG: RecordedEvent[] = [
  alice(onboarded('Alice', 'north', 'EU')),
  // P1: 5 %, hardware 3 %, 8 % above 1,000.00 EUR of the month.
  alice(
    plan('P1', '2026-01-01', 500, {
      categoryRates: [{ category: 'hardware', rateBps: 300 }],
      tiers: [{ thresholdMinor: 100_000, rateBps: 800 }],
      tierPeriod: 'month',
      currency: 'EUR',
    }),
  ),
  bob(onboarded('Bob', 'south', 'EU')),
  bob(plan('Q', '2026-01-01', 1000)),
  carol(onboarded('Carol', 'north', 'US')),
  c1(registered('c1', 'alice')),
  c1(call('alice', '2026-01-06T09:00:00.000Z')),
  c1(call('alice', '2026-01-06T15:00:00.000Z')),
  c1(call('carol', '2026-01-05T09:00:00.000Z')),
  // Alice's by ownership, under P1. Line 1: 60,000 hardware at 3 % = 1,800. Line 2: progress 60,000 ->
  // 110,000 crosses 100,000: 40,000 at 5 % = 2,000 + 10,000 at 8 % = 800 -> 2,800.
  c1(purchase('o1', '2026-01-10T10:00:00.000Z', [[2, 30_000, 'hardware'], [1, 50_000, 'software']])),
  // Bob's by its repId: 5,997 at 10 % = 599.7 -> 600.
  c1(purchase('o2', '2026-01-12T10:00:00.000Z', [[3, 1_999]], { repId: 'bob' })),
  // P2 from 15 January: 6 %, no category rates, 10 % above 500.00 EUR of the month.
  alice(plan('P2', '2026-01-15', 600, { tiers: [{ thresholdMinor: 50_000, rateBps: 1000 }], tierPeriod: 'month', currency: 'EUR' })),
  // 21 January in UTC: P2; progress 110,000 is above 50,000: 20,001 at 10 % = 2,000.1 -> 2,000.
  c1(purchase('o3', '2026-01-20T23:30:00.000-02:00', [[1, 20_001, 'hardware']])),
  // Dated 14 January: still P1; progress (log order) 130,001 is above 100,000: 10,000 at 8 % = 800.
  c1(purchase('o4', '2026-01-14T10:00:00.000Z', [[1, 10_000, 'software']])),
  // USD, P2's tiers are EUR: base 6 % of 100,000 = 6,000.
  c1(purchase('o7', '2026-01-25T10:00:00.000Z', [[1, 100_000]], { currency: 'USD' })),
  c2(registered('c2')),
  // No rep: not counted; neither is its refund.
  c2(purchase('o5', '2026-01-11T10:00:00.000Z', [[1, 9_999]])),
  c2(assigned('bob', '2026-01-16T10:00:00.000Z')),
  // Bob's by ownership since the 16th: 10,000 at 10 % = 1,000.
  c2(purchase('o6', '2026-01-17T10:00:00.000Z', [[4, 2_500]])),
  c2(refund('o5', '2026-01-19T10:00:00.000Z', [[1, 1, 9_999]])),
  c2(converted('2026-01-18T10:00:00.000Z')),
  c3(registered('c3')),
  // Nobody owns c3: the conversion counts for no one.
  c3(converted('2026-01-18T11:00:00.000Z')),
  // Carol has no plan: revenue, no commission.
  c3(purchase('o8', '2026-01-26T10:00:00.000Z', [[1, 7_000]], { repId: 'carol' })),
  // Dave has no stream: 3 deals, 15,997 EUR like Bob's 2.
  c3(purchase('o9', '2026-01-27T10:00:00.000Z', [[1, 5_000]], { repId: 'dave' })),
  c3(purchase('o10', '2026-01-27T11:00:00.000Z', [[1, 5_000]], { repId: 'dave' })),
  c3(purchase('o11', '2026-01-27T12:00:00.000Z', [[1, 5_997]], { repId: 'dave' })),
  alice(goal('month', '2026-01-01', { revenueMinor: 200_000, currency: 'EUR', deals: 5, calls: 4 })),
  // Refunds after the plan change take back what the line earned: 2,800 * 25,000 / 50,000 = 1,400.
  c1(refund('o1', '2026-02-03T10:00:00.000Z', [[2, 1, 25_000]])),
  // 2,000 * 10,000 / 20,001 = 999.95 -> 1,000
  c1(refund('o3', '2026-02-04T10:00:00.000Z', [[1, 1, 10_000]])),
  alice(goal('month', '2026-01-01', { revenueMinor: 150_000, currency: 'EUR', deals: 4, calls: 4 })),
  // 2,000 * 10,001 / 20,001 = 1,000.05 -> 1,000 (exactly what is left)
  c1(refund('o3', '2026-02-20T10:00:00.000Z', [[1, 1, 10_001]])),
  // 800 * 3,333 / 10,000 = 266.64 -> 267, twice; then 266.72 -> 267 but only 266 is left.
  c1(refund('o4', '2026-02-21T10:00:00.000Z', [[1, 1, 3_333]])),
  c1(refund('o4', '2026-02-22T10:00:00.000Z', [[1, 1, 3_333]])),
  c1(refund('o4', '2026-03-02T10:00:00.000Z', [[1, 1, 3_334]])),
  bob(goal('month', '2026-01-01', { deals: 2 })),
  bob(deactivated('2026-03-01T10:00:00.000Z')),
];

const TABLES = ['reps', 'customers', 'commission_plans', 'goals', 'sale_lines', 'sales_totals', 'activity_totals'] as const;
type Dump = TablesDump<(typeof TABLES)[number]>;

describe('sales performance', () => {
  let bed: ProjectionTestbed<SalesPerformanceTables, (typeof TABLES)[number]>;
  let live: Dump;

  beforeAll(async () => {
    // As a live projector would: batches cut anywhere in the log.
    bed = await ProjectionTestbed.open(salesPerformanceProjection, TABLES, LOG, 7);
    live = await bed.dump();
  });

  afterAll(() => bed?.close());

  describe('projection', () => {
    const line = (customerId: string, orderId: string, lineNo: number) => live.sale_lines.find((row) => row.customer_id === customerId && row.order_id === orderId && row.line_no === lineNo);
    const totals = (repId: string, currency: string, period: string, periodStart: string) =>
      live.sales_totals.find((row) => row.rep_id === repId && row.currency === currency && row.period === period && row.period_start === periodStart);

    it('stores each line with the commission of the plan in force on its date, category rates and tiers split at the threshold', () => {
      expect(line('c1', 'o1', 1)).toMatchObject({
        rep_id: 'alice',
        sold_on: '2026-01-10',
        category: 'hardware',
        amount_minor: 60_000,
        plan_id: 'P1',
        segments: [{ amountMinor: 60_000, rateBps: 300, commissionMinor: 1_800 }],
        commission_minor: 1_800,
      });
      expect(line('c1', 'o1', 2)).toMatchObject({
        plan_id: 'P1',
        segments: [
          { amountMinor: 40_000, rateBps: 500, commissionMinor: 2_000 },
          { amountMinor: 10_000, rateBps: 800, commissionMinor: 800 },
        ],
        commission_minor: 2_800,
      });
      expect(line('c1', 'o3', 1)).toMatchObject({ sold_on: '2026-01-21', plan_id: 'P2', segments: [{ amountMinor: 20_001, rateBps: 1000, commissionMinor: 2_000 }] });
      expect(line('c1', 'o4', 1)).toMatchObject({ sold_on: '2026-01-14', plan_id: 'P1', segments: [{ amountMinor: 10_000, rateBps: 800, commissionMinor: 800 }] });
      expect(line('c1', 'o7', 1)).toMatchObject({ currency: 'USD', plan_id: 'P2', commission_minor: 6_000 });
      expect(line('c1', 'o2', 1)).toMatchObject({ rep_id: 'bob', amount_minor: 5_997, plan_id: 'Q', commission_minor: 600 });
      expect(line('c3', 'o8', 1)).toMatchObject({ rep_id: 'carol', amount_minor: 7_000, plan_id: null, segments: [], commission_minor: 0 });
    });

    it('credits a sale without a repId to the owner at that moment, and leaves out sales without a rep and their refunds', () => {
      expect(line('c2', 'o6', 1)).toMatchObject({ rep_id: 'bob', amount_minor: 10_000, commission_minor: 1_000 });
      expect(line('c2', 'o5', 1)).toBeUndefined();
      expect(live.customers).toEqual([
        { customer_id: 'c1', revision: expect.any(Number), owner_rep_id: 'alice' },
        { customer_id: 'c2', revision: expect.any(Number), owner_rep_id: 'bob' },
        { customer_id: 'c3', revision: expect.any(Number), owner_rep_id: null },
      ]);
    });

    it("reverses refunded commission in proportion, after a plan change too, never beyond the line's commission", () => {
      expect(line('c1', 'o1', 2)).toMatchObject({ refunded_minor: 25_000, commission_reversed_minor: 1_400 });
      expect(line('c1', 'o3', 1)).toMatchObject({ refunded_minor: 20_001, commission_reversed_minor: 2_000 });
      expect(line('c1', 'o4', 1)).toMatchObject({ refunded_minor: 10_000, commission_reversed_minor: 800 });
      expect(line('c1', 'o1', 1)).toMatchObject({ refunded_minor: 0, commission_reversed_minor: 0 });
    });

    it('totals money per rep, currency and period; refunds in the period of refundedAt', () => {
      const money = (revenue: number, refunds: number, commission: number, reversed: number, deals: number) => ({
        revenue_minor: revenue,
        refunds_minor: refunds,
        net_revenue_minor: revenue - refunds,
        commission_minor: commission,
        commission_reversed_minor: reversed,
        commission_net_minor: commission - reversed,
        deals,
      });
      // 60,000 + 50,000 + 20,001 + 10,000; 1,800 + 2,800 + 2,000 + 800; o1, o3, o4
      expect(totals('alice', 'EUR', 'month', '2026-01-01')).toMatchObject(money(140_001, 0, 7_400, 0, 3));
      // 25,000 + 10,000 + 10,001 + 3,333 + 3,333; 1,400 + 1,000 + 1,000 + 267 + 267
      expect(totals('alice', 'EUR', 'month', '2026-02-01')).toMatchObject(money(0, 51_667, 0, 3_934, 0));
      expect(totals('alice', 'EUR', 'month', '2026-03-01')).toMatchObject(money(0, 3_334, 0, 266, 0));
      expect(totals('alice', 'EUR', 'quarter', '2026-01-01')).toMatchObject(money(140_001, 55_001, 7_400, 4_200, 3));
      expect(totals('alice', 'EUR', 'year', '2026-01-01')).toMatchObject(money(140_001, 55_001, 7_400, 4_200, 3));
      expect(totals('alice', 'EUR', 'day', '2026-01-21')).toMatchObject(money(20_001, 0, 2_000, 0, 1));
      expect(totals('alice', 'EUR', 'day', '2026-01-20')).toBeUndefined();
      expect(totals('alice', 'USD', 'month', '2026-01-01')).toMatchObject(money(100_000, 0, 6_000, 0, 1));
      // 5,997 + 10,000; 600 + 1,000
      expect(totals('bob', 'EUR', 'month', '2026-01-01')).toMatchObject(money(15_997, 0, 1_600, 0, 2));
      expect(totals('carol', 'EUR', 'quarter', '2026-01-01')).toMatchObject(money(7_000, 0, 0, 0, 1));
      expect(totals('dave', 'EUR', 'month', '2026-01-01')).toMatchObject(money(15_997, 0, 0, 0, 3));
      // Every sale and refund counted once per period kind: the days add up to the year.
      const sum = (period: string, column: string) => live.sales_totals.filter((row) => row.period === period).reduce((total, row) => total + Number(row[column]), 0);
      for (const column of ['revenue_minor', 'refunds_minor', 'commission_minor', 'commission_reversed_minor', 'deals']) {
        expect(sum('day', column)).toBe(sum('year', column));
        expect(sum('month', column)).toBe(sum('year', column));
      }
    });

    it('counts calls for their rep and conversions for the owner', () => {
      const activity = (repId: string, period: string, periodStart: string) =>
        live.activity_totals.find((row) => row.rep_id === repId && row.period === period && row.period_start === periodStart);
      expect(activity('alice', 'month', '2026-01-01')).toMatchObject({ calls: 2, leads_converted: 0 });
      expect(activity('alice', 'day', '2026-01-06')).toMatchObject({ calls: 2, leads_converted: 0 });
      expect(activity('carol', 'month', '2026-01-01')).toMatchObject({ calls: 1, leads_converted: 0 });
      expect(activity('bob', 'quarter', '2026-01-01')).toMatchObject({ calls: 0, leads_converted: 1 });
      expect(live.activity_totals.filter((row) => row.period === 'year')).toHaveLength(3);
    });

    it("keeps reps' profiles, their plans and the latest goal of each period", () => {
      expect(live.reps).toEqual([
        { rep_id: 'alice', revision: 4, name: 'Alice', team: 'north', region: 'EU', active: true },
        { rep_id: 'bob', revision: 3, name: 'Bob', team: 'south', region: 'EU', active: false },
        { rep_id: 'carol', revision: 0, name: 'Carol', team: 'north', region: 'US', active: true },
      ]);
      expect(live.commission_plans.map((row) => [row.rep_id, row.plan_id, row.effective_from])).toEqual([
        ['alice', 'P1', '2026-01-01'],
        ['alice', 'P2', '2026-01-15'],
        ['bob', 'Q', '2026-01-01'],
      ]);
      expect(live.goals).toEqual([
        { rep_id: 'alice', period: 'month', period_start: '2026-01-01', revenue_minor: 150_000, currency: 'EUR', deals: 4, calls: 4 },
        { rep_id: 'bob', period: 'month', period_start: '2026-01-01', revenue_minor: null, currency: null, deals: 2, calls: null },
      ]);
    });

    it('writes the same rows whether the log comes in one batch, two, or one event at a time', async () => {
      const half = Math.floor(LOG.length / 2);
      expect(await bed.rebuild(2, LOG.length)).toEqual(live);
      expect(await bed.rebuild(3, half)).toEqual(live);
      expect(await bed.rebuild(4, 1)).toEqual(live);
    });

    it('a rebuild into fresh tables reproduces every total to the cent', async () => {
      const rebuilt = await bed.rebuild(5, 500);
      expect(rebuilt.sales_totals).toEqual(live.sales_totals);
      expect(rebuilt).toEqual(live);
    });

    it('ignores events it applied already', async () => {
      await bed.apply(LOG.slice(5, 20));
      await bed.apply(LOG.slice(-3));
      expect(await bed.dump()).toEqual(live);
    });
  });

  describe('queries', () => {
    let queries: SalesPerformanceQueries;
    beforeAll(() => {
      queries = new SalesPerformanceQueries(bed.db, bed.schema);
    });

    it("lists one rep's commissions per period of a range", async () => {
      const rows = await queries.repCommissions('alice', { period: 'month', from: '2026-01-15', to: '2026-03-31' });
      expect(rows.map((row) => [row.periodStart, row.currency, row.commissionNetMinor, row.netRevenueMinor])).toEqual([
        ['2026-01-01', 'EUR', 7_400, 140_001],
        ['2026-01-01', 'USD', 6_000, 100_000],
        ['2026-02-01', 'EUR', -3_934, -51_667],
        ['2026-03-01', 'EUR', -266, -3_334],
      ]);
      expect(rows[0]).toEqual({
        repId: 'alice',
        repName: 'Alice',
        team: 'north',
        period: 'month',
        periodStart: '2026-01-01',
        currency: 'EUR',
        revenueMinor: 140_001,
        refundsMinor: 0,
        netRevenueMinor: 140_001,
        commissionMinor: 7_400,
        commissionReversedMinor: 0,
        commissionNetMinor: 7_400,
        deals: 3,
      });
      expect(await queries.repCommissions('alice', { period: 'quarter', from: '2026-02-01', to: '2026-02-01' })).toEqual([
        expect.objectContaining({ periodStart: '2026-01-01', currency: 'EUR', commissionNetMinor: 3_200, netRevenueMinor: 85_000 }),
        expect.objectContaining({ periodStart: '2026-01-01', currency: 'USD', commissionNetMinor: 6_000 }),
      ]);
    });

    it("pages every rep's commissions with a cursor, optionally of one team", async () => {
      const range = { period: 'month', from: '2026-01-01', to: '2026-03-31' } as const;
      const seen: CommissionTotals[] = [];
      let cursor: string | undefined;
      do {
        const page = await queries.commissions({ ...range, limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen.map((row) => `${row.periodStart} ${row.repId} ${row.currency}`)).toEqual([
        '2026-01-01 alice EUR',
        '2026-01-01 alice USD',
        '2026-01-01 bob EUR',
        '2026-01-01 carol EUR',
        '2026-01-01 dave EUR',
        '2026-02-01 alice EUR',
        '2026-03-01 alice EUR',
      ]);
      const north = await queries.commissions({ ...range, team: 'north', limit: 100 });
      expect(north.items.map((row) => row.repId)).toEqual(['alice', 'alice', 'carol', 'alice', 'alice']);
      expect(north.nextCursor).toBeNull();
    });

    it('ranks the leaderboard by net revenue, then deals, then rep id, with goal attainment', async () => {
      const board = await queries.leaderboard({ period: 'month', date: '2026-01-31', currency: 'EUR' });
      expect(board.periodStart).toBe('2026-01-01');
      expect(board.items.map((row) => [row.rank, row.repId, row.netRevenueMinor, row.deals])).toEqual([
        [1, 'alice', 140_001, 3],
        // Same net revenue: more deals first.
        [2, 'dave', 15_997, 3],
        [3, 'bob', 15_997, 2],
        [4, 'carol', 7_000, 1],
      ]);
      expect(board.items[0]).toEqual({
        rank: 1,
        repId: 'alice',
        name: 'Alice',
        team: 'north',
        region: 'EU',
        active: true,
        currency: 'EUR',
        revenueMinor: 140_001,
        netRevenueMinor: 140_001,
        deals: 3,
        calls: 2,
        leadsConverted: 0,
        goal: { revenueMinor: 150_000, currency: 'EUR', deals: 4, calls: 4 },
        // 140,001 / 150,000 = 93.33 %; 4 deals (3 EUR + 1 USD) of 4; 2 calls of 4.
        attainment: { revenuePct: 93.3, dealsPct: 100, callsPct: 50 },
      });
      expect(board.items[2]).toMatchObject({ repId: 'bob', active: false, leadsConverted: 1, attainment: { revenuePct: null, dealsPct: 100, callsPct: null } });
      expect(board.items[1]).toMatchObject({ repId: 'dave', name: null, team: null, goal: null, attainment: null });
    });

    it('ranks each currency on its own, and a team among itself', async () => {
      const board = await queries.leaderboard({ period: 'month', date: '2026-01-10' });
      expect(board.items.map((row) => [row.currency, row.rank, row.repId])).toEqual([
        ['EUR', 1, 'alice'],
        ['EUR', 2, 'dave'],
        ['EUR', 3, 'bob'],
        ['EUR', 4, 'carol'],
        ['USD', 1, 'alice'],
        ['USD', 2, 'bob'],
        ['USD', 3, 'carol'],
        ['USD', 4, 'dave'],
      ]);
      // No revenue target in USD: no revenue attainment on that board.
      expect(board.items[4]).toMatchObject({ netRevenueMinor: 100_000, attainment: { revenuePct: null, dealsPct: 100, callsPct: 50 } });

      const north = await queries.leaderboard({ period: 'quarter', date: '2026-02-15', team: 'north', currency: 'EUR' });
      expect(north.periodStart).toBe('2026-01-01');
      // Alice's quarter: 140,001 - 55,001 refunded.
      expect(north.items.map((row) => [row.rank, row.repId, row.netRevenueMinor, row.calls])).toEqual([
        [1, 'alice', 85_000, 2],
        [2, 'carol', 7_000, 1],
      ]);
    });

    it('lists active reps and those with activity on a day without sales', async () => {
      const board = await queries.leaderboard({ period: 'day', date: '2026-01-06' });
      expect(board.items.map((row) => [row.rank, row.repId, row.currency, row.calls, row.goal])).toEqual([
        [1, 'alice', null, 2, null],
        [2, 'carol', null, 0, null],
      ]);
    });

    it("shows a rep's progress towards each goal", async () => {
      expect(await queries.goalProgress('alice')).toEqual([
        {
          period: 'month',
          periodStart: '2026-01-01',
          goal: { revenueMinor: 150_000, currency: 'EUR', deals: 4, calls: 4 },
          netRevenueMinor: 140_001,
          deals: 4,
          calls: 2,
          leadsConverted: 0,
          attainment: { revenuePct: 93.3, dealsPct: 100, callsPct: 50 },
        },
      ]);
      expect(await queries.goalProgress('alice', { period: 'quarter' })).toEqual([]);
      expect(await queries.goalProgress('alice', { from: '2026-02-01' })).toEqual([]);
      expect(await queries.goalProgress('bob', { period: 'month', from: '2026-01-01', to: '2026-01-01' })).toEqual([
        expect.objectContaining({ deals: 2, leadsConverted: 1, attainment: { revenuePct: null, dealsPct: 100, callsPct: null } }),
      ]);
    });

    it('refuses bad input with a 400 naming the field', async () => {
      const cases: [Promise<unknown>, string[]][] = [
        [queries.leaderboard({ period: 'week' as 'day' }), ['period']],
        [queries.leaderboard({ period: 'month', date: '2026-02-30' }), ['date']],
        [queries.repCommissions('alice', { period: 'month', from: '2026-03-01', to: '2026-02-01' }), ['to']],
        [queries.repCommissions('alice', { period: 'day', from: '2000-01-01', to: '2026-01-01' }), ['to']],
        [queries.commissions({ period: 'month', from: '2026-01-01', to: 'soon', limit: 0 }), ['to', 'limit']],
        [queries.commissions({ period: 'month', from: '2026-01-01', to: '2026-03-31', limit: 5, cursor: 'nope' }), ['cursor']],
        [queries.goalProgress('alice', { period: 'day' as 'month', to: '2026-1-1' }), ['period', 'to']],
      ];
      for (const [promise, fields] of cases) {
        expect(await problemOf(promise)).toMatchObject({ status: 400, errors: fields.map((field) => ({ field })) });
      }
      const { nextCursor } = await queries.commissions({ period: 'month', from: '2026-01-01', to: '2026-03-31', limit: 1 });
      const other = queries.commissions({ period: 'quarter', from: '2026-01-01', to: '2026-03-31', limit: 1, cursor: nextCursor ?? undefined });
      expect(await problemOf(other)).toMatchObject({ errors: [{ field: 'cursor' }] });
    });
  });
});
