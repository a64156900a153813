import { productStream, type ProductEvent } from '#marketing/domain';
import { type CustomerEvent, type Demographics, type PurchaseLine } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { problemOf, ProjectionTestbed, recordedCustomerEvents, recordedEvents, type TablesDump } from '#testing';
import { salesAnalyticsProjection } from './sales-analytics.projection.js';
import { SalesAnalyticsQueries } from './sales-analytics.queries.js';
import type { SalesAnalyticsTables } from './sales-analytics.tables.js';
import { DOMAIN_PERSONAL_DATA } from '#event-catalog';

// ---- the log ---------------------------------------------------------------------------------

const product = (sku: string) => recordedEvents<ProductEvent>(productStream(sku));
const customer = (id: string) => recordedCustomerEvents(id);

const listed = (sku: string, name: string, category: string, currency: string, listPriceMinor: number, unitCostMinor: number): ProductEvent => ({
  type: 'ProductListed',
  data: { sku, name, category, currency, listPriceMinor, unitCostMinor, effectiveFrom: '2026-01-01', listedAt: '2026-01-01T00:00:00.000Z' },
});
const priceChanged = (effectiveFrom: string, change: { listPriceMinor?: number; unitCostMinor?: number }): ProductEvent => ({
  type: 'ProductPriceChanged',
  data: { ...change, effectiveFrom, changedAt: `${effectiveFrom}T00:00:00.000Z` },
});
const registered = (customerId: string, demographics?: Demographics): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: { customerId, stage: 'customer', source: 'api', contact: { name: 'Ada' }, tags: [], ...(demographics === undefined ? {} : { demographics }), registeredAt: '2025-01-10T10:00:00.000Z' },
});
/** Lines as [sku, quantity, unit price, category?]. */
const purchased = (orderId: string, purchasedAt: string, lines: [string, number, number, string?][], currency = 'EUR'): CustomerEvent => {
  const purchaseLines: PurchaseLine[] = lines.map(([productSku, quantity, unitPriceMinor, category], i) => ({
    lineNo: i + 1,
    productSku,
    quantity,
    unitPriceMinor,
    currency,
    ...(category === undefined ? {} : { category }),
  }));
  const totalMinor = lines.reduce((sum, [, quantity, price]) => sum + quantity * price, 0);
  return { type: 'PurchaseRecorded', data: { orderId, lines: purchaseLines, currency, totalMinor, purchasedAt } };
};
let refunds = 0;
/** One line refunded: its number, quantity and amount. */
const refunded = (orderId: string, refundedAt: string, lineNo: number, quantity: number, amountMinor: number): CustomerEvent => ({
  type: 'RefundRecorded',
  data: { refundId: `r-${++refunds}`, orderId, lines: [{ lineNo, quantity, amountMinor }], currency: 'EUR', totalMinor: amountMinor, refundedAt },
});

const keyboard = product('KB-1');
const suite = product('SW-1');
const gadget = product('GB-1');
const [d1, d2, d3, d4] = ['d1', 'd2', 'd3', 'd4'].map(customer);

/**
 * March 2026 (and March 2025 for the year before), in log order: the keyboard's list price rises
 * on 16 March and its cost on 20 March; the gadget is priced in USD; MYST is in no catalog; d3
 * gives its region and industry mid-month; refunds inside and outside the month. Every expected
 * figure below is worked out by hand from these events.
 */
const LOG: RecordedEvent[] = [
  keyboard(listed('KB-1', 'Keyboard', 'hardware', 'EUR', 10_000, 6_000)),
  suite(listed('SW-1', 'Suite', 'software', 'EUR', 5_000, 1_000)),
  gadget(listed('GB-1', 'Gadget', 'hardware', 'USD', 3_000, 2_000)),
  d1(registered('d1', { ageBand: '25-34', gender: 'female', region: 'north', industry: 'retail', companySize: '11-50' })),
  // The year before; no price was in force in 2025.
  d1(purchased('s0', '2025-03-05T10:00:00.000Z', [['KB-1', 1, 9_000], ['SW-1', 2, 5_000]])),
  d1(purchased('s1', '2026-02-20T10:00:00.000Z', [['SW-1', 1, 5_000]])),
  d1(purchased('s2', '2026-03-02T10:00:00.000Z', [['KB-1', 2, 9_000], ['SW-1', 1, 5_000]])),
  d1(refunded('s2', '2026-03-05T10:00:00.000Z', 1, 1, 9_000)),
  // A February sale refunded in March.
  d1(refunded('s1', '2026-03-08T10:00:00.000Z', 1, 1, 5_000)),
  // Born 1980: 46 in 2026, 45-54.
  d2(registered('d2', { birthYear: 1980, gender: 'male', region: 'south', industry: 'finance', companySize: '1-10' })),
  d2(purchased('s3', '2026-03-10T10:00:00.000Z', [['KB-1', 1, 10_000], ['GB-1', 3, 2_500]])),
  d3(registered('d3')),
  d3(purchased('s4', '2026-03-12T10:00:00.000Z', [['SW-1', 4, 4_500]])),
  keyboard(priceChanged('2026-03-16', { listPriceMinor: 12_000 })),
  d3({ type: 'ProfileUpdated', data: { demographics: { region: 'north', industry: 'finance' }, updatedAt: '2026-03-14T10:00:00.000Z' } }),
  d3(purchased('s5', '2026-03-18T10:00:00.000Z', [['KB-1', 1, 11_500], ['MYST', 1, 700, 'misc']])),
  keyboard(priceChanged('2026-03-20', { unitCostMinor: 7_000 })),
  // 4,000 of the 4,500 paid for one unit.
  d3(refunded('s4', '2026-03-20T10:00:00.000Z', 1, 1, 4_000)),
  d4(registered('d4', { ageBand: '35-44', region: 'south', industry: 'retail' })),
  d4(purchased('s6', '2026-03-25T10:00:00.000Z', [['KB-1', 2, 12_000]])),
  d2(purchased('s7', '2026-03-28T10:00:00.000Z', [['GB-1', 1, 3_000]], 'USD')),
  d4(refunded('s6', '2026-04-02T10:00:00.000Z', 1, 1, 12_000)),
  gadget({ type: 'ProductRetired', data: { retiredAt: '2026-04-05T00:00:00.000Z' } }),
];

const TABLES = ['customers', 'products', 'product_prices', 'sale_lines', 'product_sales', 'segment_margins', 'customer_sales'] as const;
type Dump = TablesDump<(typeof TABLES)[number]>;

const MARCH = { from: '2026-03-01', to: '2026-03-31', currency: 'EUR' };

describe('sales analytics', () => {
  let bed: ProjectionTestbed<SalesAnalyticsTables, (typeof TABLES)[number]>;
  let live: Dump;
  let queries: SalesAnalyticsQueries;

  beforeAll(async () => {
    // As a live projector would: batches cut anywhere in the log.
    bed = await ProjectionTestbed.open(salesAnalyticsProjection, TABLES, LOG, 5);
    live = await bed.dump();
    queries = new SalesAnalyticsQueries(bed.db, bed.schema);
  });

  afterAll(() => bed?.close());

  describe('projection', () => {
    it('fixes each line with the list price and unit cost in force on its date, and the buyer’s segment then', () => {
      const line = (orderId: string, lineNo: number) => live.sale_lines.find((row) => row.order_id === orderId && row.line_no === lineNo);
      expect(line('s0', 1)).toMatchObject({ category: 'hardware', list_price_minor: null, unit_cost_minor: null });
      expect(line('s3', 1)).toMatchObject({ list_price_minor: 10_000, unit_cost_minor: 6_000, age_band: '45-54', region: 'south' });
      // Priced in USD, sold in EUR: unknown.
      expect(line('s3', 2)).toMatchObject({ sku: 'GB-1', category: 'hardware', list_price_minor: null, unit_cost_minor: null });
      expect(line('s4', 1)).toMatchObject({ region: '', industry: '', age_band: '' });
      expect(line('s5', 1)).toMatchObject({ list_price_minor: 12_000, unit_cost_minor: 6_000, region: 'north', industry: 'finance' });
      expect(line('s5', 2)).toMatchObject({ sku: 'MYST', category: 'misc', list_price_minor: null });
      expect(line('s6', 1)).toMatchObject({ list_price_minor: 12_000, unit_cost_minor: 7_000 });
      expect(line('s7', 1)).toMatchObject({ currency: 'USD', list_price_minor: 3_000, unit_cost_minor: 2_000 });
      expect(live.product_prices.filter((row) => row.sku === 'KB-1').map((row) => [row.effective_from, row.list_price_minor, row.unit_cost_minor])).toEqual([
        ['2026-01-01', 10_000, 6_000],
        ['2026-03-16', 12_000, 6_000],
        ['2026-03-20', 12_000, 7_000],
      ]);
    });

    it('writes the same rows whether the log comes in one batch, two, or one event at a time', async () => {
      expect(await bed.rebuild(2, LOG.length)).toEqual(live);
      expect(await bed.rebuild(3, Math.ceil(LOG.length / 2))).toEqual(live);
      expect(await bed.rebuild(4, 1)).toEqual(live);
    });

    it("moves an erased customer's sales to the unknown segment, exactly as a re-read of their erased events does", async () => {
      const erasure = d1({ type: 'CustomerErased', data: { erasedAt: '2026-04-10T00:00:00.000Z' } });
      const reread = LOG.map((event) => (event.streamId === erasure.streamId ? { ...event, data: DOMAIN_PERSONAL_DATA.erased(event.type, event.data) } : event));
      const [erasedLive, rebuilt] = await Promise.all([
        ProjectionTestbed.open(salesAnalyticsProjection, TABLES, [...LOG, erasure], 4),
        ProjectionTestbed.open(salesAnalyticsProjection, TABLES, [...reread, erasure], 7),
      ]);
      try {
        const [after, expected] = [await erasedLive.dump(), await rebuilt.dump()];
        expect(after).toEqual(expected);
        expect(after.customers.find((row) => row.customer_id === 'd1')).toMatchObject({ age_band: null, gender: null, region: null, industry: null, company_size: null });
        expect(after.customer_sales.filter((row) => row.customer_id === 'd1').every((row) => row.gender === '' && row.region === '')).toBe(true);
        // The money stays: only the segment goes.
        const total = (dump: Dump) => dump.segment_margins.reduce((sum, row) => sum + Number(row.revenue_minor), 0);
        expect(total(after)).toBe(total(live));
        expect(after.segment_margins.length).toBeGreaterThan(0);
      } finally {
        await Promise.all([erasedLive.close(), rebuilt.close()]);
      }
    });

    it('ignores events it applied already', async () => {
      await bed.apply(LOG.slice(3, 18));
      await bed.apply(LOG.slice(-3));
      expect(await bed.dump()).toEqual(live);
    });
  });

  it('products: units, money, average discount from the list price then in force, price points', async () => {
    expect(await queries.products({ ...MARCH, priceBucketMinor: 1_000 })).toEqual({
      ...MARCH,
      priceBucketMinor: 1_000,
      items: [
        {
          sku: 'KB-1',
          name: 'Keyboard',
          category: 'hardware',
          // s2 2 + s3 1 + s5 1 + s6 2; s2's refund of 5 March
          unitsSold: 6,
          unitsRefunded: 1,
          // 18,000 + 10,000 + 11,500 + 24,000; refunded 9,000
          revenueMinor: 63_500,
          refundsMinor: 9_000,
          netRevenueMinor: 54_500,
          unitsWithListPrice: 6,
          // list 2 x 10,000 + 10,000 + 12,000 + 2 x 12,000 = 66,000, sold 63,500: 2,500 / 6 = 416.67; 2,500 / 66,000 = 3.79 %
          averageDiscountMinor: 417,
          averageDiscountPct: 3.8,
          pricePoints: [
            { fromMinor: 9_000, toMinor: 9_999, units: 2, revenueMinor: 18_000 },
            { fromMinor: 10_000, toMinor: 10_999, units: 1, revenueMinor: 10_000 },
            { fromMinor: 11_000, toMinor: 11_999, units: 1, revenueMinor: 11_500 },
            { fromMinor: 12_000, toMinor: 12_999, units: 2, revenueMinor: 24_000 },
          ],
        },
        {
          sku: 'SW-1',
          name: 'Suite',
          category: 'software',
          // s2 1 + s4 4; refunds of s1 (February's sale) and s4
          unitsSold: 5,
          unitsRefunded: 2,
          // 5,000 + 4 x 4,500; 5,000 + 4,000
          revenueMinor: 23_000,
          refundsMinor: 9_000,
          netRevenueMinor: 14_000,
          unitsWithListPrice: 5,
          // list 5 x 5,000 = 25,000, sold 23,000: 2,000 / 5 = 400; 2,000 / 25,000 = 8 %
          averageDiscountMinor: 400,
          averageDiscountPct: 8,
          pricePoints: [
            { fromMinor: 4_000, toMinor: 4_999, units: 4, revenueMinor: 18_000 },
            { fromMinor: 5_000, toMinor: 5_999, units: 1, revenueMinor: 5_000 },
          ],
        },
        {
          sku: 'GB-1',
          name: 'Gadget',
          category: 'hardware',
          unitsSold: 3,
          unitsRefunded: 0,
          revenueMinor: 7_500,
          refundsMinor: 0,
          netRevenueMinor: 7_500,
          // Listed in USD: no list price in EUR.
          unitsWithListPrice: 0,
          averageDiscountMinor: null,
          averageDiscountPct: null,
          pricePoints: [{ fromMinor: 2_000, toMinor: 2_999, units: 3, revenueMinor: 7_500 }],
        },
        {
          sku: 'MYST',
          name: null,
          category: null,
          unitsSold: 1,
          unitsRefunded: 0,
          revenueMinor: 700,
          refundsMinor: 0,
          netRevenueMinor: 700,
          unitsWithListPrice: 0,
          averageDiscountMinor: null,
          averageDiscountPct: null,
          pricePoints: [{ fromMinor: 0, toMinor: 999, units: 1, revenueMinor: 700 }],
        },
      ],
    });
    // In USD: the gadget at its list price, no discount.
    expect((await queries.products({ ...MARCH, currency: 'USD', priceBucketMinor: 500 })).items).toEqual([
      expect.objectContaining({ sku: 'GB-1', unitsSold: 1, netRevenueMinor: 3_000, averageDiscountMinor: 0, averageDiscountPct: 0, pricePoints: [{ fromMinor: 3_000, toMinor: 3_499, units: 1, revenueMinor: 3_000 }] }),
    ]);
  });

  it('purchase trends: net units and revenue per category and month, beside the year before', async () => {
    expect(await queries.purchaseTrends({ ...MARCH, interval: 'month' })).toEqual({
      ...MARCH,
      interval: 'month',
      periodsFrom: '2026-03-01',
      periodsTo: '2026-03-31',
      items: [
        // KB-1 6 - 1 + GB-1 3; 54,500 + 7,500. March 2025: s0's keyboard. (62,000 - 9,000) / 9,000 = 588.89 %
        { periodStart: '2026-03-01', category: 'hardware', units: 8, netRevenueMinor: 62_000, unitsYearBefore: 1, netRevenueYearBeforeMinor: 9_000, netRevenueChangePct: 588.9 },
        { periodStart: '2026-03-01', category: 'misc', units: 1, netRevenueMinor: 700, unitsYearBefore: 0, netRevenueYearBeforeMinor: 0, netRevenueChangePct: null },
        // 5 - 2; 23,000 - 9,000. March 2025: 2 x 5,000. (14,000 - 10,000) / 10,000
        { periodStart: '2026-03-01', category: 'software', units: 3, netRevenueMinor: 14_000, unitsYearBefore: 2, netRevenueYearBeforeMinor: 10_000, netRevenueChangePct: 40 },
      ],
    });
  });

  it('purchase trends per ISO week, the week 52 weeks before beside each', async () => {
    // Wednesday 4 March widens to the week of Monday 2 March; 52 weeks before: 3 to 9 March 2025.
    expect(await queries.purchaseTrends({ from: '2026-03-04', to: '2026-03-04', currency: 'EUR', interval: 'week' })).toEqual({
      from: '2026-03-04',
      to: '2026-03-04',
      currency: 'EUR',
      interval: 'week',
      periodsFrom: '2026-03-02',
      periodsTo: '2026-03-08',
      items: [
        // s2's 2 keyboards, one refunded on the 5th: 18,000 - 9,000; s0 (5 March 2025) 1 for 9,000
        { periodStart: '2026-03-02', category: 'hardware', units: 1, netRevenueMinor: 9_000, unitsYearBefore: 1, netRevenueYearBeforeMinor: 9_000, netRevenueChangePct: 0 },
        // s2's suite, and February's refunded on the 8th: 5,000 - 5,000; s0 2 for 10,000
        { periodStart: '2026-03-02', category: 'software', units: 0, netRevenueMinor: 0, unitsYearBefore: 2, netRevenueYearBeforeMinor: 10_000, netRevenueChangePct: -100 },
      ],
    });
  });

  describe('profitability', () => {
    it('by region: margin per product at the unit cost in force at each sale, refunds taking back their cost', async () => {
      expect(await queries.profitability({ ...MARCH, segment: 'region', top: 5 })).toEqual({
        ...MARCH,
        segment: 'region',
        top: 5,
        items: [
          {
            // d1 and d3 after its update
            value: 'north',
            units: 2,
            netRevenueMinor: 20_500,
            costMinor: 12_000,
            marginMinor: 8_500,
            // 8,500 / 20,500 = 41.46 %
            marginPct: 41.5,
            products: [
              // s2 2 x 9,000 (cost 6,000) - refund 1 (9,000, 6,000) + s5 11,500 (cost 6,000 until the 20th)
              { rank: 1, sku: 'KB-1', name: 'Keyboard', units: 2, netRevenueMinor: 20_500, costMinor: 12_000, marginMinor: 8_500, marginPct: 41.5 },
              // s2 1 x 5,000 (1,000) - February's refunded on the 8th (5,000, 1,000)
              { rank: 2, sku: 'SW-1', name: 'Suite', units: 0, netRevenueMinor: 0, costMinor: 0, marginMinor: 0, marginPct: null },
            ],
          },
          {
            // s3 10,000 (6,000) + s6 2 x 12,000 (7,000 from the 20th); the gadget has no cost in EUR. 14,000 / 34,000 = 41.18 %
            value: 'south',
            units: 3,
            netRevenueMinor: 34_000,
            costMinor: 20_000,
            marginMinor: 14_000,
            marginPct: 41.2,
            products: [{ rank: 1, sku: 'KB-1', name: 'Keyboard', units: 3, netRevenueMinor: 34_000, costMinor: 20_000, marginMinor: 14_000, marginPct: 41.2 }],
          },
          {
            // d3 before its update: s4 4 x 4,500 (1,000) - refund 1 (4,000, 1,000). 11,000 / 14,000 = 78.57 %
            value: null,
            units: 3,
            netRevenueMinor: 14_000,
            costMinor: 3_000,
            marginMinor: 11_000,
            marginPct: 78.6,
            products: [{ rank: 1, sku: 'SW-1', name: 'Suite', units: 3, netRevenueMinor: 14_000, costMinor: 3_000, marginMinor: 11_000, marginPct: 78.6 }],
          },
        ],
      });
    });

    it('by industry and by age band, the top products only', async () => {
      const industry = await queries.profitability({ ...MARCH, segment: 'industry', top: 5 });
      expect(industry.items.map(({ value, units, netRevenueMinor, costMinor, marginMinor, marginPct }) => [value, units, netRevenueMinor, costMinor, marginMinor, marginPct])).toEqual([
        // s3 10,000 (6,000) + s5 11,500 (6,000): 9,500 / 21,500 = 44.19 %
        ['finance', 2, 21_500, 12_000, 9_500, 44.2],
        // d1: 18,000 - 9,000 (12,000 - 6,000), suite 0; d4: 24,000 (14,000). 13,000 / 33,000 = 39.39 %
        ['retail', 3, 33_000, 20_000, 13_000, 39.4],
        // d3 before its update: the suite alone
        [null, 3, 14_000, 3_000, 11_000, 78.6],
      ]);
      const ageBand = await queries.profitability({ ...MARCH, segment: 'age-band', top: 1 });
      expect(ageBand.items).toEqual([
        // d1: 18,000 - 9,000 (12,000 - 6,000): 3,000 / 9,000 = 33.33 %; the suite nets 0
        {
          value: '25-34',
          units: 1,
          netRevenueMinor: 9_000,
          costMinor: 6_000,
          marginMinor: 3_000,
          marginPct: 33.3,
          products: [{ rank: 1, sku: 'KB-1', name: 'Keyboard', units: 1, netRevenueMinor: 9_000, costMinor: 6_000, marginMinor: 3_000, marginPct: 33.3 }],
        },
        // d4: 24,000 (14,000): 10,000 / 24,000 = 41.67 %
        {
          value: '35-44',
          units: 2,
          netRevenueMinor: 24_000,
          costMinor: 14_000,
          marginMinor: 10_000,
          marginPct: 41.7,
          products: [{ rank: 1, sku: 'KB-1', name: 'Keyboard', units: 2, netRevenueMinor: 24_000, costMinor: 14_000, marginMinor: 10_000, marginPct: 41.7 }],
        },
        // d2 (born 1980): 10,000 (6,000)
        {
          value: '45-54',
          units: 1,
          netRevenueMinor: 10_000,
          costMinor: 6_000,
          marginMinor: 4_000,
          marginPct: 40,
          products: [{ rank: 1, sku: 'KB-1', name: 'Keyboard', units: 1, netRevenueMinor: 10_000, costMinor: 6_000, marginMinor: 4_000, marginPct: 40 }],
        },
        // d3 gave no age: suite 14,000 (3,000) -> 11,000; keyboard 11,500 (6,000) -> 5,500. 16,500 / 25,500 = 64.71 %
        {
          value: null,
          units: 4,
          netRevenueMinor: 25_500,
          costMinor: 9_000,
          marginMinor: 16_500,
          marginPct: 64.7,
          products: [{ rank: 1, sku: 'SW-1', name: 'Suite', units: 3, netRevenueMinor: 14_000, costMinor: 3_000, marginMinor: 11_000, marginPct: 78.6 }],
        },
      ]);
    });
  });

  it('demographics: buyers and money per dimension, as each customer was at the sale', async () => {
    const money = (customers: number, revenueMinor: number, refundsMinor: number) => ({ customers, revenueMinor, refundsMinor, netRevenueMinor: revenueMinor - refundsMinor });
    expect(await queries.demographics(MARCH)).toEqual({
      ...MARCH,
      // d1 23,000 (refunds 9,000 + 5,000), d2 17,500, d3 18,000 + 12,200 (refund 4,000), d4 24,000
      ...money(4, 94_700, 18_000),
      dimensions: {
        ageBand: [
          { value: '25-34', ...money(1, 23_000, 14_000) },
          { value: '35-44', ...money(1, 24_000, 0) },
          { value: '45-54', ...money(1, 17_500, 0) },
          { value: null, ...money(1, 30_200, 4_000) },
        ],
        gender: [
          { value: 'female', ...money(1, 23_000, 14_000) },
          { value: 'male', ...money(1, 17_500, 0) },
          // d3 and d4
          { value: null, ...money(2, 54_200, 4_000) },
        ],
        region: [
          // d1, and d3's s5 after its update
          { value: 'north', ...money(2, 35_200, 14_000) },
          { value: 'south', ...money(2, 41_500, 0) },
          // d3's s4 before it
          { value: null, ...money(1, 18_000, 4_000) },
        ],
        industry: [
          { value: 'finance', ...money(2, 29_700, 0) },
          { value: 'retail', ...money(2, 47_000, 14_000) },
          { value: null, ...money(1, 18_000, 4_000) },
        ],
        companySize: [
          { value: '1-10', ...money(1, 17_500, 0) },
          { value: '11-50', ...money(1, 23_000, 14_000) },
          { value: null, ...money(2, 54_200, 4_000) },
        ],
      },
    });
  });

  it('refuses bad parameters with a 400 naming each field', async () => {
    const cases: [Promise<unknown>, string[]][] = [
      [queries.products({ ...MARCH, priceBucketMinor: 0 }), ['priceBucketMinor']],
      [queries.purchaseTrends({ ...MARCH, interval: 'day' as 'week' }), ['interval']],
      [queries.profitability({ ...MARCH, from: '2016-01-01', segment: 'gender' as 'region', top: 101 }), ['to', 'segment', 'top']],
      [queries.demographics({ ...MARCH, currency: '' }), ['currency']],
    ];
    for (const [promise, fields] of cases) expect(await problemOf(promise)).toMatchObject({ status: 400, errors: fields.map((field) => ({ field })) });
  });
});
