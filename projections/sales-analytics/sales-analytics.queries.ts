import { sql, type Kysely } from 'kysely';
import { AGE_BANDS, COMPANY_SIZES } from '#customers/domain';
import { addDays } from '../shared/calendar.js';
import { dateValue, withinDates } from '../shared/date-columns.js';
import { moneyOf, percentOf, type Money } from '../shared/money.js';
import { check, integerErrors, oneOfErrors, rangeErrors, type ReportRange } from '../shared/parameters.js';
import {
  DEMOGRAPHIC_DIMENSIONS,
  PROFIT_SEGMENTS,
  TREND_INTERVALS,
  averageDiscount,
  priceBucket,
  trendRanges,
  type DemographicDimension,
  type ProfitSegment,
  type TrendInterval,
} from './sales-analytics.calc.js';
import { UNKNOWN, type SalesAnalyticsTables } from './sales-analytics.tables.js';

export interface ProductsQuery extends ReportRange {
  /** The width of a price point, in minor units. */
  readonly priceBucketMinor: number;
}

/** Units sold at unit prices from fromMinor to toMinor (inclusive), and what they brought. */
export interface PricePoint {
  readonly fromMinor: number;
  readonly toMinor: number;
  readonly units: number;
  readonly revenueMinor: number;
}

export interface ProductReportRow extends Money {
  readonly sku: string;
  /** From the catalog; null for a product never listed. */
  readonly name: string | null;
  readonly category: string | null;
  readonly unitsSold: number;
  /** Units refunded by refunds dated in the range. */
  readonly unitsRefunded: number;
  /** Units sold in the range with a list price in force (in the report's currency): what the discount covers. */
  readonly unitsWithListPrice: number;
  /** (list price - price) per such unit, rounded half up; negative: sold above list. Null without such units. */
  readonly averageDiscountMinor: number | null;
  /** Of their list value, percent to one decimal. */
  readonly averageDiscountPct: number | null;
  /** Units sold per price point, cheapest first. */
  readonly pricePoints: PricePoint[];
}

export interface ProductsReport extends ProductsQuery {
  /** Net revenue first, then SKU. */
  readonly items: ProductReportRow[];
}

export interface TrendsQuery extends ReportRange {
  readonly interval: TrendInterval;
}

export interface TrendReportRow {
  /** The first day of the month or ISO week. */
  readonly periodStart: string;
  /** Null: lines without a category, in the line or the catalog. */
  readonly category: string | null;
  /** Units sold - units refunded in the period. */
  readonly units: number;
  readonly netRevenueMinor: number;
  /** The same a year before: the same month of the previous year, or the week 52 weeks before. */
  readonly unitsYearBefore: number;
  readonly netRevenueYearBeforeMinor: number;
  /** Net revenue against the year before, percent to one decimal; null when that was not positive. */
  readonly netRevenueChangePct: number | null;
}

export interface TrendsReport extends TrendsQuery {
  /** The whole periods covered (from is widened to its period's first day, to to its period's last). */
  readonly periodsFrom: string;
  readonly periodsTo: string;
  /** By period, then category; periods and categories without figures either year are left out. */
  readonly items: TrendReportRow[];
}

export interface ProfitabilityQuery extends ReportRange {
  readonly segment: ProfitSegment;
  /** How many products to show per segment value. */
  readonly top: number;
}

export interface Margin {
  /** Units sold - units refunded. */
  readonly units: number;
  readonly netRevenueMinor: number;
  /** Cost of the units sold - cost of the units refunded, at the unit cost in force at each sale. */
  readonly costMinor: number;
  readonly marginMinor: number;
  /** Of net revenue, percent to one decimal; null when net revenue is not positive. */
  readonly marginPct: number | null;
}

export interface ProductMargin extends Margin {
  /** 1 = the highest margin in the segment (then SKU). */
  readonly rank: number;
  readonly sku: string;
  readonly name: string | null;
}

export interface SegmentMargin extends Margin {
  /** Null: customers of unknown region, industry or age band. */
  readonly value: string | null;
  /** Every product's margin adds up to the segment's; only the top ones are listed. */
  readonly products: ProductMargin[];
}

export interface ProfitabilityReport extends ProfitabilityQuery {
  readonly items: SegmentMargin[];
}

export interface DemographicReportRow extends Money {
  /** Null: customers who did not say. */
  readonly value: string | null;
  /** Distinct customers with a purchase dated in the range. */
  readonly customers: number;
}

export interface DemographicsReport extends ReportRange, Money {
  /** Distinct customers with a purchase dated in the range (one may count in two values of a dimension if it changed in between). */
  readonly customers: number;
  readonly dimensions: Record<DemographicDimension, DemographicReportRow[]>;
}

export const MAX_PRICE_BUCKET_MINOR = 1_000_000_000;
export const MAX_TOP = 100;

const SEGMENT_COLUMN = { region: 'region', industry: 'industry', 'age-band': 'age_band' } as const satisfies Record<ProfitSegment, string>;
const DIMENSION_COLUMN = {
  ageBand: 'age_band',
  gender: 'gender',
  region: 'region',
  industry: 'industry',
  companySize: 'company_size',
} as const satisfies Record<DemographicDimension, string>;
/** Dimensions with a natural order (the domain's); the others sort alphabetically. */
const DIMENSION_ORDER: Partial<Record<DemographicDimension, readonly string[]>> = { ageBand: AGE_BANDS, companySize: COMPANY_SIZES };

/**
 * Reads the sales-analytics read model: the products, purchase-trends, profitability and
 * demographics reports. Inputs are checked here (a 400 naming the field).
 */
export class SalesAnalyticsQueries {
  private readonly db: Kysely<SalesAnalyticsTables>;

  /** `db`: any Kysely over the database; `schema`: the projection version's schema to read (the active one, for the API). */
  constructor(db: { withSchema(schema: string): object }, schema: string) {
    this.db = db.withSchema(schema) as Kysely<SalesAnalyticsTables>;
  }

  /** Every product sold or refunded in the range: units, money, average discount from list price, price points. */
  async products(query: ProductsQuery): Promise<ProductsReport> {
    check([...rangeErrors(query), ...integerErrors('priceBucketMinor', query.priceBucketMinor, 1, MAX_PRICE_BUCKET_MINOR)]);
    const rows = await this.db
      .selectFrom('product_sales as s')
      .leftJoin('products as p', 'p.sku', 's.sku')
      .select(['s.sku', 's.unit_price_minor', 'p.name', 'p.category'])
      .select([
        sql<number>`sum(s.units_sold)::bigint`.as('units_sold'),
        sql<number>`sum(s.revenue_minor)::bigint`.as('revenue_minor'),
        sql<number>`sum(s.units_refunded)::bigint`.as('units_refunded'),
        sql<number>`sum(s.refunds_minor)::bigint`.as('refunds_minor'),
        sql<number>`sum(s.list_units)::bigint`.as('list_units'),
        sql<number>`sum(s.list_amount_minor)::bigint`.as('list_amount_minor'),
      ])
      .where('s.currency', '=', query.currency)
      .where(withinDates('s.day', query))
      .groupBy(['s.sku', 's.unit_price_minor', 'p.name', 'p.category'])
      .orderBy('s.sku')
      .orderBy('s.unit_price_minor')
      .execute();
    const products = new Map<string, typeof rows>();
    for (const row of rows) products.set(row.sku, [...(products.get(row.sku) ?? []), row]);
    const items = [...products].map(([sku, prices]): ProductReportRow => {
      const sum = (pick: (row: (typeof rows)[number]) => number) => prices.reduce((total, row) => total + pick(row), 0);
      const money = moneyOf(sum((row) => row.revenue_minor), sum((row) => row.refunds_minor));
      const listUnits = sum((row) => row.list_units);
      const discount = averageDiscount(listUnits, sum((row) => row.list_amount_minor), sum((row) => row.list_units * row.unit_price_minor));
      const points = new Map<number, PricePoint>();
      for (const row of prices) {
        if (row.units_sold === 0) continue;
        const bucket = priceBucket(row.unit_price_minor, query.priceBucketMinor);
        const point = points.get(bucket.fromMinor) ?? { ...bucket, units: 0, revenueMinor: 0 };
        points.set(bucket.fromMinor, { ...point, units: point.units + row.units_sold, revenueMinor: point.revenueMinor + row.revenue_minor });
      }
      return {
        sku,
        name: prices[0].name,
        category: prices[0].category,
        unitsSold: sum((row) => row.units_sold),
        unitsRefunded: sum((row) => row.units_refunded),
        ...money,
        unitsWithListPrice: listUnits,
        averageDiscountMinor: discount?.perUnitMinor ?? null,
        averageDiscountPct: discount?.pct ?? null,
        pricePoints: [...points.values()],
      };
    });
    items.sort((a, b) => b.netRevenueMinor - a.netRevenueMinor || (a.sku < b.sku ? -1 : 1));
    return { ...query, items };
  }

  /** Units and net revenue per category and month or ISO week, beside the same period a year before. */
  async purchaseTrends(query: TrendsQuery): Promise<TrendsReport> {
    check([...rangeErrors(query), ...oneOfErrors('interval', query.interval, TREND_INTERVALS)]);
    const { start, until, startBefore, untilBefore } = trendRanges(query.interval, query.from, query.to);
    // The year before's days are moved into the period they compare with: date_trunc's months and ISO weeks, as periodStart (shared calendar).
    const shift = query.interval === 'month' ? '1 year' : '364 days';
    const periodOf = (days: string) => sql<string>`to_char(date_trunc(${query.interval}, (day + ${days}::interval)::timestamp), 'YYYY-MM-DD')`;
    const rows = await this.db
      .with('figures', (db) =>
        db
          .selectFrom('product_sales')
          .select(['category', periodOf('0 days').as('period_start')])
          .select([
            sql<number>`units_sold - units_refunded`.as('units'),
            sql<number>`revenue_minor - refunds_minor`.as('net'),
            sql<number>`0`.as('units_before'),
            sql<number>`0`.as('net_before'),
          ])
          .where('currency', '=', query.currency)
          .where('day', '>=', dateValue(start))
          .where('day', '<', dateValue(until))
          .unionAll(
            db
              .selectFrom('product_sales')
              .select(['category', periodOf(shift).as('period_start')])
              .select([
                sql<number>`0`.as('units'),
                sql<number>`0`.as('net'),
                sql<number>`units_sold - units_refunded`.as('units_before'),
                sql<number>`revenue_minor - refunds_minor`.as('net_before'),
              ])
              .where('currency', '=', query.currency)
              .where('day', '>=', dateValue(startBefore))
              .where('day', '<', dateValue(untilBefore)),
          ),
      )
      .selectFrom('figures')
      .select([
        'category',
        'period_start',
        sql<number>`sum(units)::bigint`.as('units'),
        sql<number>`sum(net)::bigint`.as('net'),
        sql<number>`sum(units_before)::bigint`.as('units_before'),
        sql<number>`sum(net_before)::bigint`.as('net_before'),
      ])
      .groupBy(['period_start', 'category'])
      .orderBy('period_start')
      .orderBy('category')
      .execute();
    return {
      ...query,
      periodsFrom: start,
      periodsTo: addDays(until, -1),
      items: rows.map((row) => ({
        periodStart: row.period_start,
        category: row.category === UNKNOWN ? null : row.category,
        units: row.units,
        netRevenueMinor: row.net,
        unitsYearBefore: row.units_before,
        netRevenueYearBeforeMinor: row.net_before,
        netRevenueChangePct: percentOf(row.net - row.net_before, row.net_before),
      })),
    };
  }

  /** Margin per segment value and product (lines with a known unit cost), the top products of each segment value. */
  async profitability(query: ProfitabilityQuery): Promise<ProfitabilityReport> {
    check([...rangeErrors(query), ...oneOfErrors('segment', query.segment, PROFIT_SEGMENTS), ...integerErrors('top', query.top, 1, MAX_TOP)]);
    const segment = sql.ref<string>(`m.${SEGMENT_COLUMN[query.segment]}`);
    const rows = await this.db
      .selectFrom('segment_margins as m')
      .leftJoin('products as p', 'p.sku', 'm.sku')
      .select([segment.as('segment'), 'm.sku', 'p.name'])
      .select([
        sql<number>`sum(m.units_sold - m.units_refunded)::bigint`.as('units'),
        sql<number>`sum(m.revenue_minor - m.refunds_minor)::bigint`.as('net'),
        sql<number>`sum(m.cost_minor - m.cost_refunded_minor)::bigint`.as('cost'),
      ])
      .where('m.currency', '=', query.currency)
      .where(withinDates('m.day', query))
      .groupBy([segment, 'm.sku', 'p.name'])
      .execute();
    const segments = new Map<string, typeof rows>();
    for (const row of rows) segments.set(row.segment, [...(segments.get(row.segment) ?? []), row]);
    const items = [...segments].map(([value, products]): SegmentMargin => {
      const ranked = products
        .map((row) => ({ sku: row.sku, name: row.name, ...marginOf(row.units, row.net, row.cost) }))
        .sort((a, b) => b.marginMinor - a.marginMinor || (a.sku < b.sku ? -1 : 1));
      const total = (pick: (row: (typeof rows)[number]) => number) => products.reduce((sum, row) => sum + pick(row), 0);
      return {
        value: value === UNKNOWN ? null : value,
        ...marginOf(
          total((row) => row.units),
          total((row) => row.net),
          total((row) => row.cost),
        ),
        products: ranked.slice(0, query.top).map((row, i) => ({ rank: i + 1, ...row })),
      };
    });
    items.sort((a, b) => compareValues(a.value, b.value));
    return { ...query, items };
  }

  /** Buyers and money per age band, gender, region, industry and company size, as the customers were at each sale. */
  async demographics(range: ReportRange): Promise<DemographicsReport> {
    check(rangeErrors(range));
    const columns = DEMOGRAPHIC_DIMENSIONS.map((dimension) => DIMENSION_COLUMN[dimension]);
    // One pass: the total, and one grouping per dimension; grouping() tells which a row belongs to.
    const rows = await this.db
      .selectFrom('customer_sales')
      .select(columns)
      .select([
        sql<number>`grouping(${sql.join(columns.map((column) => sql.ref(column)))})`.as('grouped'),
        sql<number>`count(distinct customer_id) filter (where purchases > 0)`.as('customers'),
        sql<number>`sum(revenue_minor)::bigint`.as('revenue_minor'),
        sql<number>`sum(refunds_minor)::bigint`.as('refunds_minor'),
      ])
      .where('currency', '=', range.currency)
      .where(withinDates('day', range))
      .groupBy(sql`grouping sets ((), ${sql.join(columns.map((column) => sql`(${sql.ref(column)})`))})`)
      .execute();
    // grouping() has one bit per column, the first the highest: set when the column is aggregated over.
    const all = (1 << columns.length) - 1;
    const total = rows.find((row) => row.grouped === all);
    const dimensions = Object.fromEntries(
      DEMOGRAPHIC_DIMENSIONS.map((dimension, i) => {
        const column = DIMENSION_COLUMN[dimension];
        const own = all & ~(1 << (columns.length - 1 - i));
        const values = rows
          .filter((row) => row.grouped === own)
          .map((row) => ({ value: row[column] === UNKNOWN ? null : row[column], customers: row.customers, ...moneyOf(row.revenue_minor, row.refunds_minor) }));
        const order = DIMENSION_ORDER[dimension];
        values.sort((a, b) => (order === undefined ? compareValues(a.value, b.value) : rankOf(order, a.value) - rankOf(order, b.value)));
        return [dimension, values];
      }),
    ) as Record<DemographicDimension, DemographicReportRow[]>;
    return { ...range, customers: total?.customers ?? 0, ...moneyOf(total?.revenue_minor ?? 0, total?.refunds_minor ?? 0), dimensions };
  }
}

function marginOf(units: number, netRevenueMinor: number, costMinor: number): Margin {
  const marginMinor = netRevenueMinor - costMinor;
  return { units, netRevenueMinor, costMinor, marginMinor, marginPct: percentOf(marginMinor, netRevenueMinor) };
}

/** Alphabetical, unknown (null) last. */
function compareValues(a: string | null, b: string | null): number {
  return a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
}

/** The position in a natural order; values outside it, and unknown, last. */
function rankOf(order: readonly string[], value: string | null): number {
  const i = value === null ? -1 : order.indexOf(value);
  return i === -1 ? order.length : i;
}
