import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import { decodeCursor, encodeCursor, invalidCursor } from '#read-model-engine';
import { PROFILE_COLUMNS, type CustomersTable, type DirectoryTables } from './directory.projection.js';

export const DIRECTORY_SORTS = ['name', 'createdAt', 'lastInteractionAt', 'revenue'] as const;
export type DirectorySort = (typeof DIRECTORY_SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export interface DirectoryFilters {
  /** Case-insensitive substring of name, e-mail, company or phone. */
  readonly q?: string;
  readonly stage?: string;
  readonly ownerRepId?: string;
  readonly region?: string;
  /** Customers carrying this tag. */
  readonly tag?: string;
  /** Registered at or after (inclusive). */
  readonly createdFrom?: Date;
  /** Registered before (exclusive). */
  readonly createdTo?: Date;
}

export interface DirectoryOrder {
  readonly sort: DirectorySort;
  readonly order: SortOrder;
}

export interface DirectorySearch extends DirectoryOrder {
  readonly limit: number;
  /** From the previous page's `nextCursor` (of the same sort and order). */
  readonly cursor?: string;
}

/** A directory row as the API shows it; times are ISO 8601 in UTC. */
export interface CustomerProfile {
  readonly customerId: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly company: string | null;
  readonly stage: string;
  readonly ownerRepId: string | null;
  readonly region: string | null;
  readonly industry: string | null;
  readonly tags: string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly convertedAt: string | null;
  readonly lastInteractionAt: string | null;
  readonly interactions: number;
  readonly orders: number;
  /** Purchases minus refunds, in minor units of revenueCurrency (`XXX`: orders in several currencies). */
  readonly revenueMinor: number;
  readonly revenueCurrency: string | null;
  readonly erased: boolean;
}

export interface DirectoryPage {
  readonly items: CustomerProfile[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

/** Where a page ended: the last row's sort key (as text, exact) and customer id. */
interface After {
  readonly key: string;
  readonly customerId: string;
}

type SortColumn = 'name_key' | 'created_at' | 'last_interaction_key' | 'revenue_minor';

const MICROSECOND_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const isTime = (key: string) => MICROSECOND_ISO.test(key) && !Number.isNaN(Date.parse(key));
const asTimeKey = (column: SortColumn) =>
  sql<string>`case when isfinite(${sql.ref(column)}) then to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') else ${sql.ref(column)}::text end`;

/** Each sort: its column, the column as exact text (for the cursor), the text back as a value, which texts are valid. */
const SORTS: Record<DirectorySort, { column: SortColumn; key: RawBuilder<string>; value: (key: string) => Expression<unknown>; valid: (key: string) => boolean }> = {
  name: { column: 'name_key', key: sql<string>`name_key`, value: (key) => sql`${key}::text`, valid: (key) => key.length <= 10_000 },
  createdAt: { column: 'created_at', key: asTimeKey('created_at'), value: (key) => sql`${key}::timestamptz`, valid: isTime },
  lastInteractionAt: {
    column: 'last_interaction_key',
    key: asTimeKey('last_interaction_key'),
    value: (key) => sql`${key}::timestamptz`,
    valid: (key) => key === '-infinity' || isTime(key),
  },
  revenue: { column: 'revenue_minor', key: sql<string>`revenue_minor::text`, value: (key) => sql`${key}::bigint`, valid: (key) => /^-?\d{1,19}$/.test(key) },
};

/** Rows an export reads per query: memory stays bounded by one page, whatever the result's size. */
const EXPORT_PAGE_SIZE = 1000;

/**
 * Reads the customer directory. Lists are keyset pages on (sort key, customer id): a customer
 * registered while a client pages lands before or after its cursor and never shifts the rows still
 * to come. (A row whose sort key itself changes meanwhile, e.g. new revenue, can move past the
 * cursor: keyset pages are stable under inserts, not under updates of the sorted column.)
 */
export class DirectoryQueries {
  private readonly db: Kysely<DirectoryTables>;

  /** `db`: any Kysely over the database; `schema`: the projection version's schema to read (the active one, for the API). */
  constructor(db: { withSchema(schema: string): object }, schema: string) {
    this.db = db.withSchema(schema) as Kysely<DirectoryTables>;
  }

  async get(customerId: string): Promise<CustomerProfile | undefined> {
    const row = await this.db.selectFrom('customers').select(PROFILE_COLUMNS).where('customer_id', '=', customerId).executeTakeFirst();
    return row === undefined ? undefined : toProfile(row);
  }

  async search(filters: DirectoryFilters, search: DirectorySearch): Promise<DirectoryPage> {
    const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, (json) => readCursor(json, search));
    const rows = await this.rows(filters, search, search.limit + 1, after);
    const page = rows.slice(0, search.limit);
    const last = page.at(-1);
    return {
      items: page.map(toProfile),
      nextCursor: rows.length > search.limit && last !== undefined ? encodeCursor([search.sort, search.order, last.sort_key, last.customer_id]) : null,
    };
  }

  /** Every matching row in order, read a page at a time: the caller consumes them as they come. */
  async *exportRows(filters: DirectoryFilters, order: DirectoryOrder, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<CustomerProfile> {
    let after: After | undefined;
    for (;;) {
      const rows = await this.rows(filters, order, pageSize, after);
      for (const row of rows) yield toProfile(row);
      const last = rows.at(-1);
      if (rows.length < pageSize || last === undefined) return;
      after = { key: last.sort_key, customerId: last.customer_id };
    }
  }

  private rows(filters: DirectoryFilters, order: DirectoryOrder, limit: number, after: After | undefined) {
    const sort = SORTS[order.sort];
    const where = (eb: ExpressionBuilder<DirectoryTables, 'customers'>) => {
      const filtered = conditions(eb, filters);
      if (after === undefined) return eb.and(filtered);
      // Row comparison: served by the (sort column, customer_id) index in either direction.
      const beyond = sql<SqlBool>`(${sql.ref(sort.column)}, customer_id) ${sql.raw(order.order === 'asc' ? '>' : '<')} (${sort.value(after.key)}, ${after.customerId})`;
      return eb.and([...filtered, beyond]);
    };
    return this.db
      .selectFrom('customers')
      .select(PROFILE_COLUMNS)
      .select(sort.key.as('sort_key'))
      .where(where)
      .orderBy(sort.column, order.order)
      .orderBy('customer_id', order.order)
      .limit(limit)
      .execute();
  }
}

function conditions(eb: ExpressionBuilder<DirectoryTables, 'customers'>, filters: DirectoryFilters): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [];
  const q = filters.q?.trim();
  if (q !== undefined && q !== '') {
    const pattern = `%${q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    where.push(eb.or([eb('name', 'ilike', pattern), eb('email', 'ilike', pattern), eb('company', 'ilike', pattern), eb('phone', 'ilike', pattern)]));
  }
  if (filters.stage !== undefined) where.push(eb('stage', '=', filters.stage));
  if (filters.ownerRepId !== undefined) where.push(eb('owner_rep_id', '=', filters.ownerRepId));
  if (filters.region !== undefined) where.push(eb('region', '=', filters.region));
  if (filters.tag !== undefined) where.push(eb('tags', '@>', sql<string[]>`array[${filters.tag}]::text[]`));
  if (filters.createdFrom !== undefined) where.push(eb('created_at', '>=', filters.createdFrom));
  if (filters.createdTo !== undefined) where.push(eb('created_at', '<', filters.createdTo));
  return where;
}

type ProfileRow = Pick<Selectable<CustomersTable>, (typeof PROFILE_COLUMNS)[number]>;

function toProfile(row: ProfileRow): CustomerProfile {
  return {
    customerId: row.customer_id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    company: row.company,
    stage: row.stage,
    ownerRepId: row.owner_rep_id,
    region: row.region,
    industry: row.industry,
    tags: row.tags,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    convertedAt: row.converted_at?.toISOString() ?? null,
    lastInteractionAt: row.last_interaction_at?.toISOString() ?? null,
    interactions: row.interactions,
    orders: row.orders,
    revenueMinor: row.revenue_minor,
    revenueCurrency: row.revenue_currency,
    erased: row.erased,
  };
}

/** The key of a directory cursor, `[sort, order, key, customerId]`, checked: it continues only a listing in `order`. */
function readCursor(json: unknown, order: DirectoryOrder): After {
  if (!Array.isArray(json) || json.length !== 4 || !json.every((part) => typeof part === 'string')) throw invalidCursor('not a directory cursor');
  const [sort, direction, key, customerId] = json as string[];
  if (sort !== order.sort || direction !== order.order) throw invalidCursor(`it continues sort=${sort}&order=${direction}`);
  if (!SORTS[order.sort].valid(key) || customerId === '') throw invalidCursor('bad position');
  return { key, customerId };
}
