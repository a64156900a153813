import { sql, type ColumnType, type Kysely, type Migration } from 'kysely';
import { customerIdOfStream, toCustomerEvent } from '#customers/domain';
import type { Projection } from '#read-model-engine';
import { insertRows } from '#postgres';
import { evolveDirectoryRow, type DirectoryRow } from './directory.row.js';

/** One row per customer: their current profile and activity totals. */
export interface CustomersTable {
  customer_id: string;
  /** Revision of the last event applied: an event at or below it was applied already. */
  revision: number;
  /** Personal columns (name, email, phone) are null once the customer is erased. */
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  stage: string;
  owner_rep_id: string | null;
  region: string | null;
  industry: string | null;
  tags: string[];
  created_at: ColumnType<Date, string, string>;
  /** When the store recorded the last event of this customer. */
  updated_at: ColumnType<Date, string, string>;
  converted_at: ColumnType<Date | null, string | null, string | null>;
  /** Latest call, e-mail, meeting, click, site visit, form submission or purchase (as in the domain). */
  last_interaction_at: ColumnType<Date | null, string | null, string | null>;
  /** Calls, e-mails, meetings, clicks, site visits and form submissions (purchases are `orders`). */
  interactions: number;
  orders: number;
  /** Purchases minus refunds, in minor units of `revenue_currency`. */
  revenue_minor: number;
  /**
   * The currency of the customer's orders. A customer is assumed to buy in one currency; should
   * orders come in two, this is `XXX` (ISO 4217: no currency) and revenue_minor mixes them.
   */
  revenue_currency: string | null;
  erased: boolean;
  /** Sort keys, kept by PostgreSQL: case-insensitive name, and never-interacted sorting last when newest first. */
  name_key: ColumnType<string, never, never>;
  last_interaction_key: ColumnType<Date, never, never>;
}

export interface DirectoryTables {
  customers: CustomersTable;
}

export const CUSTOMER_DIRECTORY = 'customer-directory';


const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('customers')
      .addColumn('customer_id', 'text', (column) => column.primaryKey())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('name', 'text')
      .addColumn('email', 'text')
      .addColumn('phone', 'text')
      .addColumn('company', 'text')
      .addColumn('stage', 'text', (column) => column.notNull())
      .addColumn('owner_rep_id', 'text')
      .addColumn('region', 'text')
      .addColumn('industry', 'text')
      .addColumn('tags', sql`text[]`, (column) => column.notNull().defaultTo(sql`'{}'`))
      .addColumn('created_at', 'timestamptz', (column) => column.notNull())
      .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
      .addColumn('converted_at', 'timestamptz')
      .addColumn('last_interaction_at', 'timestamptz')
      .addColumn('interactions', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('orders', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('revenue_minor', 'bigint', (column) => column.notNull().defaultTo(0))
      .addColumn('revenue_currency', 'text')
      .addColumn('erased', 'boolean', (column) => column.notNull().defaultTo(false))
      .addColumn('name_key', 'text', (column) => column.notNull().generatedAlwaysAs(sql`coalesce(lower(name), '')`).stored())
      .addColumn('last_interaction_key', 'timestamptz', (column) =>
        column.notNull().generatedAlwaysAs(sql`coalesce(last_interaction_at, '-infinity'::timestamptz)`).stored(),
      )
      .execute();
    // One index per sort, the customer id as tiebreak: keyset pages read them in either direction.
    for (const key of ['name_key', 'created_at', 'last_interaction_key', 'revenue_minor']) {
      await db.schema.createIndex(`customers_by_${key}`).on('customers').columns([key, 'customer_id']).execute();
    }
    for (const key of ['stage', 'owner_rep_id', 'region']) {
      await db.schema.createIndex(`customers_by_${key}`).on('customers').column(key).execute();
    }
    await db.schema.createIndex('customers_by_tag').on('customers').using('gin').column('tags').execute();
    // Substring search (ILIKE '%...%') on the searched columns: trigram indexes. pg_trgm is a
    // trusted extension: any user allowed to create in the database may. The lock keeps two versions migrating at
    // once (a rebuild) from both creating it.
    await sql`select pg_advisory_xact_lock(hashtext('create extension pg_trgm'))`.execute(db);
    await sql`create extension if not exists pg_trgm`.execute(db);
    const { rows } = await sql<{ schema: string }>`
      select nspname as schema from pg_extension join pg_namespace on pg_namespace.oid = extnamespace where extname = 'pg_trgm'`.execute(db);
    const trigramOps = sql`${sql.id(rows[0].schema)}.gin_trgm_ops`;
    for (const column of ['name', 'email', 'phone', 'company']) {
      await db.schema
        .createIndex(`customers_search_${column}`)
        .on('customers')
        .using('gin')
        .expression(sql`${sql.ref(column)} ${trigramOps}`)
        .execute();
    }
  },
};

/**
 * The customer directory: the current profile of every customer with activity totals, for search,
 * filters, sorted pages and CSV export. A batch loads the rows of the customers it touches, folds
 * their events in memory ({@link evolveDirectoryRow}) and writes the changed rows back in one
 * upsert per thousand rows.
 */
export const customerDirectoryProjection: Projection<DirectoryTables> = {
  name: CUSTOMER_DIRECTORY,
  version: 1,
  migrations: { '0001-customers': initial },
  async apply(db, events) {
    const relevant = events.flatMap((event) => {
      const customerId = customerIdOfStream(event.streamId);
      const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
      return customerId === undefined || customerEvent === undefined ? [] : [{ customerId, event, customerEvent }];
    });
    if (relevant.length === 0) return;
    const rows = new Map((await loadRows(db, [...new Set(relevant.map(({ customerId }) => customerId))])).map((row) => [row.customer_id, row]));
    const changed = new Set<string>();
    for (const { customerId, event, customerEvent } of relevant) {
      const before = rows.get(customerId);
      const after = evolveDirectoryRow(before, customerId, event, customerEvent);
      if (after === undefined || after === before) continue;
      rows.set(customerId, after);
      changed.add(customerId);
    }
    const upserts = [...changed].map((customerId) => rows.get(customerId) as DirectoryRow);
    await insertRows(db, 'customers', upserts, { key: ['customer_id'], set: UPDATED_COLUMNS });
  },
};

/** What a profile shows: every stored column but the revision bookkeeping and the generated sort keys. */
export const PROFILE_COLUMNS = [
  'customer_id',
  'name',
  'email',
  'phone',
  'company',
  'stage',
  'owner_rep_id',
  'region',
  'industry',
  'tags',
  'created_at',
  'updated_at',
  'converted_at',
  'last_interaction_at',
  'interactions',
  'orders',
  'revenue_minor',
  'revenue_currency',
  'erased',
] as const satisfies readonly (keyof DirectoryRow)[];
const STORED_COLUMNS = [...PROFILE_COLUMNS, 'revision'] as const;
const UPDATED_COLUMNS = STORED_COLUMNS.filter((column) => column !== 'customer_id');

async function loadRows(db: Kysely<DirectoryTables>, customerIds: readonly string[]): Promise<DirectoryRow[]> {
  const rows = await db.selectFrom('customers').select(STORED_COLUMNS).where('customer_id', 'in', customerIds).execute();
  return rows.map((row) => ({
    ...row,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    converted_at: row.converted_at?.toISOString() ?? null,
    last_interaction_at: row.last_interaction_at?.toISOString() ?? null,
  }));
}
