import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { customerIdOfStream, toCustomerEvent, type CustomerEvent, type Demographics } from '#customers/domain';
import { skuOfStream, toProductEvent, type ProductEvent } from '#marketing/domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#read-model-engine';
import { addInto, anyOf, appendTo, byKeys, distinct, inRows, insertRows, keyOf } from '#postgres';
import { utcDate } from '../shared/calendar.js';
import { calendarDate } from '../shared/date-columns.js';
import { inForceOn } from '../shared/in-force.js';
import { lineAmount } from '../shared/money.js';
import { ageBandOn, listValue, type PriceEntry } from './sales-analytics.calc.js';
import {
  UNKNOWN,
  initial,
  saleRefunds,
  type CustomerSalesTable,
  type CustomersTable,
  type ProductSalesTable,
  type ProductsTable,
  type SaleLinesTable,
  type SalesAnalyticsTables,
  type SegmentMarginsTable,
} from './sales-analytics.tables.js';

export const SALES_ANALYTICS = 'sales-analytics';

/**
 * Units, revenue, price points, discounts, margins and buyers per product, category and customer
 * segment, per day, for the product, purchase-trend, profitability and demographics reports. The rules:
 *
 * - A sale line's category is its own, else the product's in the catalog; its list price and unit
 *   cost are those in force on the sale's date (UTC) in the catalog as the log has it when the
 *   sale is applied, when the product is priced in the sale's currency (else unknown). Like a
 *   commission, they are fixed then: later catalog events never change a past sale.
 * - A sale is segmented by the customer's demographics at that moment (the age band given, else
 *   derived from the birth year for the sale's year); a refund counts against its line's product,
 *   price, cost and segment, on the refund's own date.
 * - Margin covers the lines with a known unit cost only: revenue - units * unit cost, a refund
 *   taking back its amount and its units' cost.
 * - Erasure changes nothing here: these tables hold no personal data (ids, bands, money), and the
 *   figures of the past stay as they were.
 *
 * A batch is applied with a few SELECTs, a pure walk in log order and one multi-row statement per
 * table; rows keep the last revision applied of every customer and product stream.
 */
export const salesAnalyticsProjection: Projection<SalesAnalyticsTables> = {
  name: SALES_ANALYTICS,
  // Version 2 records refunded lines (sale_refunds): a rebuild fills them from the log.
  version: 2,
  migrations: { '0001-sales-analytics': initial, '0002-sale-refunds': saleRefunds },
  async apply(db, events) {
    const items = decode(events);
    if (items.length === 0) return;
    await write(db, walkBatch(items, await load(db, items)));
    const erased = distinct(items.map((item) => (item.data.type === 'CustomerErased' ? item.id : undefined)));
    if (erased.length > 0) await forgetDemographics(db, erased);
  },
};

/**
 * An erased customer's demographics describe them: their sales move to the unknown segment, in
 * their own rows and in the segment margins, where a re-read of their erased events puts them.
 */
async function forgetDemographics(db: Kysely<SalesAnalyticsTables>, customerIds: readonly string[]): Promise<void> {
  const unknownSegment = { age_band: UNKNOWN, gender: UNKNOWN, region: UNKNOWN, industry: UNKNOWN, company_size: UNKNOWN };
  const lines = await db
    .selectFrom('sale_lines')
    .select(['customer_id', 'order_id', 'line_no', 'sku', 'currency', 'quantity', 'unit_price_minor', 'unit_cost_minor', 'region', 'industry', 'age_band'])
    .select(calendarDate('sold_on').as('sold_on'))
    .where('customer_id', '=', anyOf(customerIds))
    .where('unit_cost_minor', 'is not', null)
    .execute();
  const refunds = await db
    .selectFrom('sale_refunds')
    .select(['customer_id', 'order_id', 'line_no', 'units', 'amount_minor'])
    .select(calendarDate('refunded_on').as('refunded_on'))
    .where('customer_id', '=', anyOf(customerIds))
    .execute();
  // Each contribution taken out of its segment and added to the unknown one.
  const moves = new Map<string, MarginsRow>();
  const move = (line: (typeof lines)[number], day: string, sums: Omit<MarginsRow, 'sku' | 'currency' | 'day' | 'region' | 'industry' | 'age_band'>) => {
    const { sku, currency } = line;
    for (const [segment, sign] of [[line, -1], [unknownSegment, 1]] as const) {
      const { region, industry, age_band } = segment;
      addInto(moves, keyOf(sku, currency, day, region, industry, age_band), () => ({ ...ZERO_SUMS, sku, currency, day, region, industry, age_band }), {
        units_sold: sign * sums.units_sold,
        revenue_minor: sign * sums.revenue_minor,
        cost_minor: sign * sums.cost_minor,
        units_refunded: sign * sums.units_refunded,
        refunds_minor: sign * sums.refunds_minor,
        cost_refunded_minor: sign * sums.cost_refunded_minor,
      });
    }
  };
  const byLine = new Map(lines.map((line) => [lineKey(line.customer_id, line.order_id, line.line_no), line]));
  for (const line of lines) {
    const cost = line.unit_cost_minor ?? 0;
    move(line, line.sold_on, { ...ZERO_SUMS, units_sold: line.quantity, revenue_minor: lineAmount(line.quantity, line.unit_price_minor), cost_minor: lineAmount(line.quantity, cost) });
  }
  for (const refund of refunds) {
    const line = byLine.get(lineKey(refund.customer_id, refund.order_id, refund.line_no));
    // A line without a known cost never counted in the margins.
    if (line === undefined) continue;
    move(line, refund.refunded_on, { ...ZERO_SUMS, units_refunded: refund.units, refunds_minor: refund.amount_minor, cost_refunded_minor: lineAmount(refund.units, line.unit_cost_minor ?? 0) });
  }
  await insertRows(db, 'segment_margins', [...moves.values()], { key: MARGIN_KEY, add: MARGIN_SUMS });
  // A segment left with nothing is a row a rebuild would never have written.
  const days = distinct([...moves.values()].map((row) => row.day));
  if (days.length > 0) {
    await db
      .deleteFrom('segment_margins')
      .where(sql<string>`day::text`, '=', anyOf(days))
      .where((eb) => eb.and(MARGIN_SUMS.map((column) => eb(column, '=', 0))))
      .execute();
  }

  await db
    .updateTable('customers')
    .set({ age_band: null, birth_year: null, gender: null, region: null, industry: null, company_size: null })
    .where('customer_id', '=', anyOf(customerIds))
    .execute();
  await db.updateTable('sale_lines').set(unknownSegment).where('customer_id', '=', anyOf(customerIds)).execute();
  const sums = await db
    .selectFrom('customer_sales')
    .select(['currency', 'customer_id', calendarDate('day').as('day')])
    .select((eb) => [eb.fn.sum<number>('purchases').as('purchases'), eb.fn.sum<number>('revenue_minor').as('revenue_minor'), eb.fn.sum<number>('refunds_minor').as('refunds_minor')])
    .where('customer_id', '=', anyOf(customerIds))
    .groupBy(['day', 'currency', 'customer_id'])
    .execute();
  await db.deleteFrom('customer_sales').where('customer_id', '=', anyOf(customerIds)).execute();
  await insertRows(
    db,
    'customer_sales',
    sums.map((row) => ({ ...row, ...unknownSegment, purchases: Number(row.purchases), revenue_minor: Number(row.revenue_minor), refunds_minor: Number(row.refunds_minor) })),
  );
}

const MARGIN_KEY = ['day', 'currency', 'sku', 'region', 'industry', 'age_band'] as const;
const MARGIN_SUMS = ['units_sold', 'revenue_minor', 'cost_minor', 'units_refunded', 'refunds_minor', 'cost_refunded_minor'] as const;
const ZERO_SUMS = { units_sold: 0, revenue_minor: 0, cost_minor: 0, units_refunded: 0, refunds_minor: 0, cost_refunded_minor: 0 };

type CustomerRow = Selectable<CustomersTable>;
type ProductRow = Selectable<ProductsTable>;
type LineRow = Required<Insertable<SaleLinesTable>>;
type ProductSalesRow = Required<Insertable<ProductSalesTable>>;
type MarginsRow = Required<Insertable<SegmentMarginsTable>>;
type CustomerSalesRow = Required<Insertable<CustomerSalesTable>>;

type Item =
  | { readonly stream: 'product'; readonly id: string; readonly event: RecordedEvent; readonly data: ProductEvent }
  | { readonly stream: 'customer'; readonly id: string; readonly event: RecordedEvent; readonly data: CustomerEvent };

function decode(events: readonly RecordedEvent[]): Item[] {
  return events.flatMap((event): Item[] => {
    const customerId = customerIdOfStream(event.streamId);
    const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
    if (customerId !== undefined && customerEvent !== undefined) return [{ stream: 'customer', id: customerId, event, data: customerEvent }];
    const sku = skuOfStream(event.streamId);
    const productEvent = sku === undefined ? undefined : toProductEvent(event);
    if (sku !== undefined && productEvent !== undefined) return [{ stream: 'product', id: sku, event, data: productEvent }];
    return [];
  });
}

/** What the batch's events need from earlier batches. */
interface Loaded {
  readonly customers: Map<string, CustomerRow>;
  readonly products: Map<string, ProductRow>;
  /** Each product's prices in log order. */
  readonly prices: Map<string, PriceEntry[]>;
  /** The lines of the orders refunded in the batch, by keyOf(customer, order, line no). */
  readonly lines: Map<string, LineRow>;
}

const lineKey = (customerId: string, orderId: string, lineNo: number) => keyOf(customerId, orderId, lineNo);

async function load(db: Kysely<SalesAnalyticsTables>, items: readonly Item[]): Promise<Loaded> {
  const customerIds = distinct(items.map((item) => (item.stream === 'customer' ? item.id : undefined)));
  const skus = distinct(
    items.flatMap((item) => (item.stream === 'product' ? [item.id] : item.data.type === 'PurchaseRecorded' ? item.data.data.lines.map((line) => line.productSku) : [])),
  );
  const refunded = items.flatMap((item) => (item.data.type === 'RefundRecorded' ? [[item.id, item.data.data.orderId]] : []));
  const [customers, products, prices, lines] = await Promise.all([
    byKeys(customerIds, (ids) => db.selectFrom('customers').selectAll().where('customer_id', '=', anyOf(ids)).execute()),
    byKeys(skus, (ids) => db.selectFrom('products').selectAll().where('sku', '=', anyOf(ids)).execute()),
    byKeys(skus, (ids) =>
      db
        .selectFrom('product_prices')
        .select(['sku', 'list_price_minor', 'unit_cost_minor', calendarDate('effective_from').as('effective_from')])
        .where('sku', '=', anyOf(ids))
        .orderBy('sku')
        .orderBy('revision')
        .execute(),
    ),
    byKeys(refunded, (orders) =>
      db.selectFrom('sale_lines').select(LINE_COLUMNS).select(calendarDate('sold_on').as('sold_on')).where(inRows(['customer_id', 'order_id'], orders)).execute(),
    ),
  ]);
  const loaded: Loaded = {
    customers: new Map(customers.map((row) => [row.customer_id, row])),
    products: new Map(products.map((row) => [row.sku, row])),
    prices: new Map(),
    lines: new Map(lines.map((row) => [lineKey(row.customer_id, row.order_id, row.line_no), row])),
  };
  for (const row of prices) {
    appendTo(loaded.prices, row.sku, { effectiveFrom: row.effective_from, listPriceMinor: row.list_price_minor, unitCostMinor: row.unit_cost_minor });
  }
  return loaded;
}

const LINE_COLUMNS = [
  'customer_id',
  'order_id',
  'line_no',
  'sku',
  'category',
  'currency',
  'quantity',
  'unit_price_minor',
  'list_price_minor',
  'unit_cost_minor',
  'age_band',
  'gender',
  'region',
  'industry',
  'company_size',
] as const satisfies readonly (keyof SaleLinesTable)[];

/** The batch's effect, computed in memory in log order. */
interface Walk extends Loaded {
  readonly changedCustomers: Set<string>;
  readonly changedProducts: Set<string>;
  readonly newPrices: Insertable<SalesAnalyticsTables['product_prices']>[];
  readonly newLines: LineRow[];
  readonly newRefunds: Required<Insertable<SalesAnalyticsTables['sale_refunds']>>[];
  readonly productSales: Map<string, ProductSalesRow>;
  readonly margins: Map<string, MarginsRow>;
  readonly customerSales: Map<string, CustomerSalesRow>;
}

/** A customer's demographics as columns, from registration's or a change set's field names. */
const DEMOGRAPHIC_COLUMNS = {
  ageBand: 'age_band',
  birthYear: 'birth_year',
  gender: 'gender',
  region: 'region',
  industry: 'industry',
  companySize: 'company_size',
} as const satisfies Record<keyof Demographics, keyof CustomersTable>;

function walkBatch(items: readonly Item[], loaded: Loaded): Walk {
  const walk: Walk = {
    ...loaded,
    changedCustomers: new Set(),
    changedProducts: new Set(),
    newPrices: [],
    newLines: [],
    newRefunds: [],
    productSales: new Map(),
    margins: new Map(),
    customerSales: new Map(),
  };

  /** Adds what a line sold, or had refunded, on `day` to the product and margin aggregates. */
  const count = (line: LineRow, day: string, sold: { units: number; amount: number } | undefined, refunded: { units: number; amount: number } | undefined) => {
    const { sku, category, currency, unit_price_minor } = line;
    const list = sold === undefined ? { listUnits: 0, listAmountMinor: 0 } : listValue({ quantity: sold.units, unitPriceMinor: unit_price_minor, listPriceMinor: line.list_price_minor });
    addInto(
      walk.productSales,
      keyOf(sku, category, currency, day, unit_price_minor),
      () => ({ sku, category, currency, day, unit_price_minor, units_sold: 0, revenue_minor: 0, units_refunded: 0, refunds_minor: 0, list_units: 0, list_amount_minor: 0 }),
      {
        units_sold: sold?.units ?? 0,
        revenue_minor: sold?.amount ?? 0,
        units_refunded: refunded?.units ?? 0,
        refunds_minor: refunded?.amount ?? 0,
        list_units: list.listUnits,
        list_amount_minor: list.listAmountMinor,
      },
    );
    if (line.unit_cost_minor === null) return;
    const { region, industry, age_band } = line;
    addInto(
      walk.margins,
      keyOf(sku, currency, day, region, industry, age_band),
      () => ({ sku, currency, day, region, industry, age_band, units_sold: 0, revenue_minor: 0, cost_minor: 0, units_refunded: 0, refunds_minor: 0, cost_refunded_minor: 0 }),
      {
        units_sold: sold?.units ?? 0,
        revenue_minor: sold?.amount ?? 0,
        cost_minor: lineAmount(sold?.units ?? 0, line.unit_cost_minor),
        units_refunded: refunded?.units ?? 0,
        refunds_minor: refunded?.amount ?? 0,
        cost_refunded_minor: lineAmount(refunded?.units ?? 0, line.unit_cost_minor),
      },
    );
  };
  const customerSale = (line: Pick<LineRow, 'customer_id' | 'currency' | 'age_band' | 'gender' | 'region' | 'industry' | 'company_size'>, day: string, sums: Partial<Pick<CustomerSalesRow, 'purchases' | 'revenue_minor' | 'refunds_minor'>>) => {
    const { customer_id, currency, age_band, gender, region, industry, company_size } = line;
    addInto(
      walk.customerSales,
      keyOf(customer_id, currency, day, age_band, gender, region, industry, company_size),
      () => ({ customer_id, currency, day, age_band, gender, region, industry, company_size, purchases: 0, revenue_minor: 0, refunds_minor: 0 }),
      sums,
    );
  };

  for (const item of items) {
    const { event } = item;
    if (item.stream === 'product') {
      const sku = item.id;
      const before = walk.products.get(sku) ?? { sku, revision: -1, name: '', category: '', currency: '', retired: false };
      if (event.revision <= before.revision) continue;
      let after: ProductRow = { ...before, revision: event.revision };
      const addPrice = (price: PriceEntry) => {
        appendTo(walk.prices, sku, price);
        walk.newPrices.push({ sku, revision: event.revision, effective_from: price.effectiveFrom, list_price_minor: price.listPriceMinor, unit_cost_minor: price.unitCostMinor });
      };
      switch (item.data.type) {
        case 'ProductListed': {
          const { name, category, currency, listPriceMinor, unitCostMinor, effectiveFrom } = item.data.data;
          after = { ...after, name, category, currency };
          addPrice({ effectiveFrom, listPriceMinor, unitCostMinor });
          break;
        }
        case 'ProductPriceChanged': {
          const { listPriceMinor, unitCostMinor, effectiveFrom } = item.data.data;
          // As the product's decider folds it: a change of one keeps the other of the latest price.
          const latest = walk.prices.get(sku)?.at(-1);
          if (latest === undefined) throw new Error(`product ${sku} changed its price before it was listed`);
          addPrice({ effectiveFrom, listPriceMinor: listPriceMinor ?? latest.listPriceMinor, unitCostMinor: unitCostMinor ?? latest.unitCostMinor });
          break;
        }
        case 'ProductRetired':
          after = { ...after, retired: true };
          break;
      }
      walk.products.set(sku, after);
      walk.changedProducts.add(sku);
      continue;
    }

    const customerId = item.id;
    const before = walk.customers.get(customerId) ?? emptyCustomer(customerId);
    if (event.revision <= before.revision) continue;
    let customer: CustomerRow = { ...before, revision: event.revision };
    const data = item.data;
    switch (data.type) {
      case 'CustomerRegistered':
        customer = { ...emptyCustomer(customerId), revision: event.revision, ...demographicColumns(data.data.demographics ?? {}) };
        break;
      case 'ProfileUpdated':
        customer = { ...customer, ...demographicColumns(data.data.demographics ?? {}) };
        break;
      case 'PurchaseRecorded': {
        const { orderId, lines, currency, totalMinor, purchasedAt } = data.data;
        const day = utcDate(purchasedAt);
        const segment = {
          age_band: ageBandOn({ ageBand: customer.age_band ?? undefined, birthYear: customer.birth_year ?? undefined }, day) ?? UNKNOWN,
          gender: customer.gender ?? UNKNOWN,
          region: customer.region ?? UNKNOWN,
          industry: customer.industry ?? UNKNOWN,
          company_size: customer.company_size ?? UNKNOWN,
        };
        for (const line of lines) {
          const product = walk.products.get(line.productSku);
          const price = product?.currency === line.currency ? inForceOn(walk.prices.get(line.productSku) ?? [], day) : undefined;
          const row: LineRow = {
            customer_id: customerId,
            order_id: orderId,
            line_no: line.lineNo,
            sku: line.productSku,
            category: line.category ?? product?.category ?? UNKNOWN,
            currency,
            sold_on: day,
            quantity: line.quantity,
            unit_price_minor: line.unitPriceMinor,
            list_price_minor: price?.listPriceMinor ?? null,
            unit_cost_minor: price?.unitCostMinor ?? null,
            ...segment,
          };
          walk.lines.set(lineKey(customerId, orderId, line.lineNo), row);
          walk.newLines.push(row);
          count(row, day, { units: line.quantity, amount: lineAmount(line.quantity, line.unitPriceMinor) }, undefined);
        }
        customerSale({ customer_id: customerId, currency, ...segment }, day, { purchases: 1, revenue_minor: totalMinor });
        break;
      }
      case 'RefundRecorded': {
        const { refundId, orderId, lines, refundedAt } = data.data;
        const day = utcDate(refundedAt);
        for (const refunded of lines) {
          const line = walk.lines.get(lineKey(customerId, orderId, refunded.lineNo));
          // The decider refunds only recorded lines of the same stream: a miss is a broken log, and stops the projection.
          if (line === undefined) throw new Error(`refund ${refundId} of customer ${customerId} refunds line ${refunded.lineNo} of order ${orderId}, which was never sold`);
          count(line, day, undefined, { units: refunded.quantity, amount: refunded.amountMinor });
          customerSale(line, day, { refunds_minor: refunded.amountMinor });
          walk.newRefunds.push({ customer_id: customerId, refund_id: refundId, order_id: orderId, line_no: refunded.lineNo, refunded_on: day, units: refunded.quantity, amount_minor: refunded.amountMinor });
        }
        break;
      }
      default:
        break;
    }
    walk.customers.set(customerId, customer);
    walk.changedCustomers.add(customerId);
  }
  return walk;
}

function emptyCustomer(customerId: string): CustomerRow {
  return { customer_id: customerId, revision: -1, age_band: null, birth_year: null, gender: null, region: null, industry: null, company_size: null };
}

/** The columns a registration's demographics or a change set sets (null clears; absent keeps). */
function demographicColumns(demographics: { readonly [K in keyof Demographics]?: Demographics[K] | null }): Partial<CustomerRow> {
  const columns: Partial<Record<keyof CustomerRow, string | number | null>> = {};
  for (const [field, column] of Object.entries(DEMOGRAPHIC_COLUMNS) as [keyof Demographics, (typeof DEMOGRAPHIC_COLUMNS)[keyof Demographics]][]) {
    const value = demographics[field];
    // An erased customer's demographics read `{"$erased": true}`: unknown, as after the erasure.
    if (value !== undefined) columns[column] = typeof value === 'object' && value !== null ? null : value;
  }
  return columns as Partial<CustomerRow>;
}

async function write(db: Kysely<SalesAnalyticsTables>, walk: Walk): Promise<void> {
  await insertRows(
    db,
    'customers',
    [...walk.changedCustomers].map((id) => walk.customers.get(id) as CustomerRow),
    { key: ['customer_id'], set: ['revision', ...Object.values(DEMOGRAPHIC_COLUMNS)] },
  );
  await insertRows(
    db,
    'products',
    [...walk.changedProducts].map((sku) => walk.products.get(sku) as ProductRow),
    { key: ['sku'], set: ['revision', 'name', 'category', 'currency', 'retired'] },
  );
  // Prices and lines are applied once (their stream's revision guards them): a conflict is a bug, and fails.
  await insertRows(db, 'product_prices', walk.newPrices);
  await insertRows(db, 'sale_lines', walk.newLines);
  await insertRows(db, 'sale_refunds', walk.newRefunds);
  await insertRows(db, 'product_sales', [...walk.productSales.values()], {
    key: ['day', 'currency', 'sku', 'category', 'unit_price_minor'],
    add: ['units_sold', 'revenue_minor', 'units_refunded', 'refunds_minor', 'list_units', 'list_amount_minor'],
  });
  await insertRows(db, 'segment_margins', [...walk.margins.values()], { key: MARGIN_KEY, add: MARGIN_SUMS });
  await insertRows(db, 'customer_sales', [...walk.customerSales.values()], {
    key: ['day', 'currency', 'customer_id', 'age_band', 'gender', 'region', 'industry', 'company_size'],
    add: ['purchases', 'revenue_minor', 'refunds_minor'],
  });
}
