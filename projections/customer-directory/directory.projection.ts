import { sql, type ColumnType, type Generated, type Kysely, type Migration, type UpdateObject } from 'kysely';
import { customerIdOfStream, toCustomerEvent, type CustomerEvent, type CustomerRegisteredData } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#projections';

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
  created_at: ColumnType<Date, string, never>;
  /** When the store recorded the last event of this customer. */
  updated_at: ColumnType<Date, Date, Date>;
  converted_at: ColumnType<Date | null, never, string>;
  /** Latest call, e-mail, meeting, click, site visit, form submission or purchase (as in the domain). */
  last_interaction_at: ColumnType<Date | null, never, string>;
  /** Calls, e-mails, meetings, clicks, site visits and form submissions (purchases are `orders`). */
  interactions: Generated<number>;
  orders: Generated<number>;
  /** Purchases minus refunds, in minor units of `revenue_currency`. */
  revenue_minor: Generated<number>;
  /**
   * The currency of the customer's orders. A customer is assumed to buy in one currency; should
   * orders come in two, this is `XXX` (ISO 4217: no currency) and revenue_minor mixes them.
   */
  revenue_currency: ColumnType<string | null, never, string>;
  erased: Generated<boolean>;
  /** Sort keys, kept by PostgreSQL: case-insensitive name, and never-interacted sorting last when newest first. */
  name_key: ColumnType<string, never, never>;
  last_interaction_key: ColumnType<Date, never, never>;
}

export interface DirectoryTables {
  customers: CustomersTable;
}

export const CUSTOMER_DIRECTORY = 'customer-directory';

/** ISO 4217 "no currency": revenue of orders in more than one currency. */
export const MIXED_CURRENCIES = 'XXX';

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
 * filters, sorted pages and CSV export. Each event is applied once per customer (the row keeps the
 * revision it reached), so a replayed batch does not count twice.
 */
export const customerDirectoryProjection: Projection<DirectoryTables> = {
  name: CUSTOMER_DIRECTORY,
  version: 1,
  migrations: { '0001-customers': initial },
  async apply(db, event) {
    const customerId = customerIdOfStream(event.streamId);
    const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
    if (customerId === undefined || customerEvent === undefined) return;
    if (customerEvent.type === 'CustomerRegistered') {
      await register(db, customerId, event, customerEvent.data);
      return;
    }
    await db
      .updateTable('customers')
      .set({ ...changesOf(customerEvent), revision: event.revision, updated_at: event.metadata.recordedAt })
      .where('customer_id', '=', customerId)
      .where('revision', '<', event.revision)
      .execute();
  },
};

async function register(db: Kysely<DirectoryTables>, customerId: string, event: RecordedEvent, data: CustomerRegisteredData): Promise<void> {
  await db
    .insertInto('customers')
    .values({
      customer_id: customerId,
      revision: event.revision,
      name: text(data.contact.name),
      email: text(data.contact.email),
      phone: text(data.contact.phone),
      company: text(data.company?.name),
      stage: data.stage,
      owner_rep_id: data.ownerRepId ?? null,
      region: text(data.demographics?.region),
      industry: text(data.demographics?.industry),
      tags: data.tags,
      created_at: data.registeredAt,
      updated_at: event.metadata.recordedAt,
    })
    .onConflict((conflict) => conflict.column('customer_id').doNothing())
    .execute();
}

type Changes = UpdateObject<DirectoryTables, 'customers'>;

/** The columns an event changes (besides revision and updated_at). */
function changesOf(event: Exclude<CustomerEvent, { type: 'CustomerRegistered' }>): Changes {
  switch (event.type) {
    case 'ProfileUpdated': {
      const { contact, company, demographics, tags } = event.data;
      return {
        ...change('name', contact?.name),
        ...change('email', contact?.email),
        ...change('phone', contact?.phone),
        ...change('company', company?.name),
        ...change('region', demographics?.region),
        ...change('industry', demographics?.industry),
        ...(tags === undefined ? {} : { tags }),
      };
    }
    case 'OwnerAssigned':
      return { owner_rep_id: event.data.repId };
    case 'LeadConverted':
      return { stage: 'customer', converted_at: event.data.convertedAt };
    case 'CallLogged':
    case 'EmailLogged':
    case 'MeetingLogged':
    case 'LeadClickRecorded':
    case 'SiteVisitRecorded':
    case 'FormSubmissionRecorded':
      return { interactions: sql<number>`interactions + 1`, ...interactedAt(event.data.occurredAt) };
    case 'PurchaseRecorded': {
      const { totalMinor, currency, purchasedAt } = event.data;
      return {
        orders: sql<number>`orders + 1`,
        revenue_minor: sql<number>`revenue_minor + ${totalMinor}`,
        ...orderCurrency(currency),
        ...interactedAt(purchasedAt),
      };
    }
    case 'RefundRecorded':
      return { revenue_minor: sql<number>`revenue_minor - ${event.data.totalMinor}`, ...orderCurrency(event.data.currency) };
    case 'CustomerErased':
      // Company name, stage, owner and totals are business data and stay (as in the domain's state).
      return { name: null, email: null, phone: null, erased: true };
    default:
      // Contracts, notes and documents: the row only records that the customer changed.
      return {};
  }
}

/** A profile change: absent keeps the column, `null` clears it, an erased value reads as absent data (null). */
function change<K extends 'name' | 'email' | 'phone' | 'company' | 'region' | 'industry'>(column: K, value: unknown): Partial<Record<K, string | null>> {
  if (value === undefined) return {};
  return { [column]: text(value) } as Partial<Record<K, string | null>>;
}

function interactedAt(at: string): Changes {
  // greatest() skips nulls: the first interaction sets it.
  return { last_interaction_at: sql<string>`greatest(last_interaction_at, ${at}::timestamptz)` };
}

function orderCurrency(currency: string): Changes {
  return {
    revenue_currency: sql<string>`case when revenue_currency is null or revenue_currency = ${currency} then ${currency} else ${MIXED_CURRENCIES} end`,
  };
}

/** A personal or optional value as a column: a string, else null (absent, or `{"$erased": true}`). */
function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
