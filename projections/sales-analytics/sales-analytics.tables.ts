import type { Kysely, Migration } from 'kysely';
import type { AgeBand, CompanySize } from '#customers/domain';
import type { CalendarDate } from '../shared/date-columns.js';

/** Key columns that may name nothing (no category, an unknown region) hold '' rather than null: they are part of primary keys. */
export const UNKNOWN = '';

/** Each customer's demographics now: what their next sale is segmented by. */
export interface CustomersTable {
  customer_id: string;
  /** Revision of the last event of the customer's stream applied: at or below it, already applied. */
  revision: number;
  age_band: AgeBand | null;
  birth_year: number | null;
  gender: string | null;
  region: string | null;
  industry: string | null;
  company_size: CompanySize | null;
}

/** The catalog: what a sale line's category defaults to, and whose currency its prices are in. */
export interface ProductsTable {
  sku: string;
  revision: number;
  name: string;
  category: string;
  currency: string;
  retired: boolean;
}

/** Each product's list price and unit cost from a day on (resolved: a change of one keeps the other). */
export interface ProductPricesTable {
  sku: string;
  /** The event's revision in the product's stream: the log order of the product's prices. */
  revision: number;
  effective_from: CalendarDate;
  list_price_minor: number;
  unit_cost_minor: number;
}

/** Every sale line as sold: its price, the list price and unit cost then in force, the customer's segment then. Refunds read it. */
export interface SaleLinesTable {
  customer_id: string;
  order_id: string;
  line_no: number;
  sku: string;
  /** The line's category, else the product's; UNKNOWN when neither. */
  category: string;
  currency: string;
  sold_on: CalendarDate;
  quantity: number;
  unit_price_minor: number;
  /** In force on sold_on, as the log had it when the sale was applied; null: unknown (unlisted, or priced in another currency). */
  list_price_minor: number | null;
  unit_cost_minor: number | null;
  age_band: string;
  gender: string;
  region: string;
  industry: string;
  company_size: string;
}

/** Every refunded line: what an erasure moves out of the customer's segment margins. */
export interface SaleRefundsTable {
  customer_id: string;
  refund_id: string;
  order_id: string;
  line_no: number;
  refunded_on: CalendarDate;
  units: number;
  amount_minor: number;
}

/** Per product, category, currency, day and unit price sold at: units and money, and the list value of the units with a known list price. */
export interface ProductSalesTable {
  sku: string;
  category: string;
  currency: string;
  day: CalendarDate;
  unit_price_minor: number;
  units_sold: number;
  revenue_minor: number;
  /** Refunds dated this day of lines sold at this price. */
  units_refunded: number;
  refunds_minor: number;
  /** Units sold with a known list price, and their value at list price: the discount is list_amount - list_units * unit price. */
  list_units: number;
  list_amount_minor: number;
}

/** Per product, currency, day and the buyer's region, industry and age band: margin, of lines with a known unit cost only. */
export interface SegmentMarginsTable {
  sku: string;
  currency: string;
  day: CalendarDate;
  region: string;
  industry: string;
  age_band: string;
  units_sold: number;
  revenue_minor: number;
  /** Units sold * the unit cost in force at the sale. */
  cost_minor: number;
  units_refunded: number;
  refunds_minor: number;
  /** Refunded units * the line's unit cost: the refunded units' cost no longer counts. */
  cost_refunded_minor: number;
}

/** Per customer, currency and day, with their demographics at the sale: buyers and revenue per segment over any range. */
export interface CustomerSalesTable {
  customer_id: string;
  currency: string;
  day: CalendarDate;
  age_band: string;
  gender: string;
  region: string;
  industry: string;
  company_size: string;
  purchases: number;
  revenue_minor: number;
  refunds_minor: number;
}

export interface SalesAnalyticsTables {
  customers: CustomersTable;
  products: ProductsTable;
  product_prices: ProductPricesTable;
  sale_lines: SaleLinesTable;
  sale_refunds: SaleRefundsTable;
  product_sales: ProductSalesTable;
  segment_margins: SegmentMarginsTable;
  customer_sales: CustomerSalesTable;
}

export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('customers')
      .addColumn('customer_id', 'text', (column) => column.primaryKey())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('age_band', 'text')
      .addColumn('birth_year', 'integer')
      .addColumn('gender', 'text')
      .addColumn('region', 'text')
      .addColumn('industry', 'text')
      .addColumn('company_size', 'text')
      .execute();
    await db.schema
      .createTable('products')
      .addColumn('sku', 'text', (column) => column.primaryKey())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('category', 'text', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('retired', 'boolean', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('product_prices')
      .addColumn('sku', 'text', (column) => column.notNull())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('effective_from', 'date', (column) => column.notNull())
      .addColumn('list_price_minor', 'bigint', (column) => column.notNull())
      .addColumn('unit_cost_minor', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('product_prices_pk', ['sku', 'revision'])
      .execute();
    await db.schema
      .createTable('sale_lines')
      .addColumn('customer_id', 'text', (column) => column.notNull())
      .addColumn('order_id', 'text', (column) => column.notNull())
      .addColumn('line_no', 'integer', (column) => column.notNull())
      .addColumn('sku', 'text', (column) => column.notNull())
      .addColumn('category', 'text', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('sold_on', 'date', (column) => column.notNull())
      .addColumn('quantity', 'integer', (column) => column.notNull())
      .addColumn('unit_price_minor', 'bigint', (column) => column.notNull())
      .addColumn('list_price_minor', 'bigint')
      .addColumn('unit_cost_minor', 'bigint')
      .addColumn('age_band', 'text', (column) => column.notNull())
      .addColumn('gender', 'text', (column) => column.notNull())
      .addColumn('region', 'text', (column) => column.notNull())
      .addColumn('industry', 'text', (column) => column.notNull())
      .addColumn('company_size', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('sale_lines_pk', ['customer_id', 'order_id', 'line_no'])
      .execute();
    await db.schema
      .createTable('product_sales')
      .addColumn('sku', 'text', (column) => column.notNull())
      .addColumn('category', 'text', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('day', 'date', (column) => column.notNull())
      .addColumn('unit_price_minor', 'bigint', (column) => column.notNull())
      .addColumn('units_sold', 'bigint', (column) => column.notNull())
      .addColumn('revenue_minor', 'bigint', (column) => column.notNull())
      .addColumn('units_refunded', 'bigint', (column) => column.notNull())
      .addColumn('refunds_minor', 'bigint', (column) => column.notNull())
      .addColumn('list_units', 'bigint', (column) => column.notNull())
      .addColumn('list_amount_minor', 'bigint', (column) => column.notNull())
      // Ranges of days first: every report reads a range of days.
      .addPrimaryKeyConstraint('product_sales_pk', ['day', 'currency', 'sku', 'category', 'unit_price_minor'])
      .execute();
    await db.schema
      .createTable('segment_margins')
      .addColumn('sku', 'text', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('day', 'date', (column) => column.notNull())
      .addColumn('region', 'text', (column) => column.notNull())
      .addColumn('industry', 'text', (column) => column.notNull())
      .addColumn('age_band', 'text', (column) => column.notNull())
      .addColumn('units_sold', 'bigint', (column) => column.notNull())
      .addColumn('revenue_minor', 'bigint', (column) => column.notNull())
      .addColumn('cost_minor', 'bigint', (column) => column.notNull())
      .addColumn('units_refunded', 'bigint', (column) => column.notNull())
      .addColumn('refunds_minor', 'bigint', (column) => column.notNull())
      .addColumn('cost_refunded_minor', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('segment_margins_pk', ['day', 'currency', 'sku', 'region', 'industry', 'age_band'])
      .execute();
    await db.schema
      .createTable('customer_sales')
      .addColumn('customer_id', 'text', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('day', 'date', (column) => column.notNull())
      .addColumn('age_band', 'text', (column) => column.notNull())
      .addColumn('gender', 'text', (column) => column.notNull())
      .addColumn('region', 'text', (column) => column.notNull())
      .addColumn('industry', 'text', (column) => column.notNull())
      .addColumn('company_size', 'text', (column) => column.notNull())
      .addColumn('purchases', 'integer', (column) => column.notNull())
      .addColumn('revenue_minor', 'bigint', (column) => column.notNull())
      .addColumn('refunds_minor', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('customer_sales_pk', ['day', 'currency', 'customer_id', 'age_band', 'gender', 'region', 'industry', 'company_size'])
      .execute();
  },
};

export const saleRefunds: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sale_refunds')
      .addColumn('customer_id', 'text', (column) => column.notNull())
      .addColumn('refund_id', 'text', (column) => column.notNull())
      .addColumn('order_id', 'text', (column) => column.notNull())
      .addColumn('line_no', 'integer', (column) => column.notNull())
      .addColumn('refunded_on', 'date', (column) => column.notNull())
      .addColumn('units', 'integer', (column) => column.notNull())
      .addColumn('amount_minor', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('sale_refunds_pk', ['customer_id', 'refund_id', 'line_no'])
      .execute();
  },
};
