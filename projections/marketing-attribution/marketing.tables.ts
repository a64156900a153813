import { type ColumnType, type Kysely, type Migration } from 'kysely';
import type { CalendarDate } from '../shared/date-columns.js';

/** A `timestamptz` written as an ISO 8601 string. */
type Timestamp = ColumnType<Date, string, string>;

/**
 * Key columns that may name nothing (a click without an ad) hold '' rather than null, so that
 * they can be part of a primary key and an upsert target.
 */
export const NONE = '';

/** Campaigns as launched: what the report shows of them, and the budget cost per conversion divides. */
export interface CampaignsTable {
  campaign_id: string;
  /** Revision of the last event of the campaign's stream applied: at or below it, already applied. */
  revision: number;
  name: string | null;
  channel: string | null;
  budget_minor: number | null;
  currency: string | null;
  starts_on: CalendarDate | null;
  ends_on: CalendarDate | null;
  /** When the campaign was ended early (CampaignEnded). */
  ended_on: CalendarDate | null;
}

/** The ads of each campaign (ad ids are unique within their campaign only). */
export interface AdsTable {
  campaign_id: string;
  ad_id: string;
  name: string;
}

/** Affiliate sites, as the latest campaign listing them names them. */
export interface AffiliateSitesTable {
  affiliate_site_id: string;
  name: string;
  url: string;
}

/** What the projection keeps of each customer: where they came from, and whether they have bought yet. */
export interface CustomersTable {
  customer_id: string;
  /** Revision of the last event of the customer's stream applied. */
  revision: number;
  /** The acquisition source their registration names (NONE when it names none). */
  campaign_id: string;
  ad_id: string;
  affiliate_site_id: string;
  /** A first purchase was seen: the conversion. */
  converted: boolean;
}

/** Anonymous web visitors, and the customer each turned out to be. */
export interface VisitorsTable {
  visitor_id: string;
  /** Revision of the last event of the visitor's stream applied (-1: none yet). */
  revision: number;
  /** The customer the visitor was identified as: their clicks, earlier and later, count as that customer's. */
  customer_id: string | null;
  /** The customer was erased: the visitor's later clicks stay anonymous and it is never linked again. */
  released: boolean;
}

/** Clicks per day of each prospect on each campaign, ad and affiliate site: clicks, and unique prospects over any range. */
export interface ProspectClicksTable {
  campaign_id: string;
  ad_id: string;
  affiliate_site_id: string;
  /** `c:<customerId>` or `v:<visitorId>` (a visitor nobody has identified). */
  prospect: string;
  day: CalendarDate;
  clicks: number;
}

/** Every click, visit and form submission naming a campaign, for attribution over any window. */
export interface TouchesTable {
  /** The event's id. */
  touch_id: string;
  prospect: string;
  touched_at: Timestamp;
  campaign_id: string;
}

/** Per acquisition source, day and currency: leads, conversions and the money of the customers it brought. */
export interface AcquisitionsTable {
  campaign_id: string;
  ad_id: string;
  affiliate_site_id: string;
  day: CalendarDate;
  /** NONE for leads (they have no currency); the purchase's or refund's currency otherwise. */
  currency: string;
  leads: number;
  conversions: number;
  revenue_minor: number;
  refunds_minor: number;
}

/** Each purchase (entry_id NONE) and refund (its refund id): the money attribution splits, dated, with its purchase's time. */
export interface RevenueEntriesTable {
  customer_id: string;
  order_id: string;
  entry_id: string;
  day: CalendarDate;
  /** When the order was purchased: the touch window ends here, for its refunds too. */
  purchased_at: Timestamp;
  currency: string;
  /** The purchase's total, or the refund's (positive both: is_refund tells which). */
  amount_minor: number;
  is_refund: boolean;
  /** The customer's first purchase: a conversion. */
  first_purchase: boolean;
}

export interface MarketingTables {
  campaigns: CampaignsTable;
  ads: AdsTable;
  affiliate_sites: AffiliateSitesTable;
  customers: CustomersTable;
  visitors: VisitorsTable;
  prospect_clicks: ProspectClicksTable;
  touches: TouchesTable;
  acquisitions: AcquisitionsTable;
  revenue_entries: RevenueEntriesTable;
}

export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('campaigns')
      .addColumn('campaign_id', 'text', (column) => column.primaryKey())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('name', 'text')
      .addColumn('channel', 'text')
      .addColumn('budget_minor', 'bigint')
      .addColumn('currency', 'text')
      .addColumn('starts_on', 'date')
      .addColumn('ends_on', 'date')
      .addColumn('ended_on', 'date')
      .execute();
    await db.schema
      .createTable('ads')
      .addColumn('campaign_id', 'text', (column) => column.notNull())
      .addColumn('ad_id', 'text', (column) => column.notNull())
      .addColumn('name', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('ads_pk', ['campaign_id', 'ad_id'])
      .execute();
    // The campaign of a click naming only its ad.
    await db.schema.createIndex('ads_by_ad').on('ads').column('ad_id').execute();
    await db.schema
      .createTable('affiliate_sites')
      .addColumn('affiliate_site_id', 'text', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('url', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('customers')
      .addColumn('customer_id', 'text', (column) => column.primaryKey())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('campaign_id', 'text', (column) => column.notNull())
      .addColumn('ad_id', 'text', (column) => column.notNull())
      .addColumn('affiliate_site_id', 'text', (column) => column.notNull())
      .addColumn('converted', 'boolean', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('visitors')
      .addColumn('visitor_id', 'text', (column) => column.primaryKey())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('customer_id', 'text')
      .addColumn('released', 'boolean', (column) => column.notNull())
      .execute();
    // The visitors of an erased customer.
    await db.schema.createIndex('visitors_by_customer').on('visitors').column('customer_id').execute();
    await db.schema
      .createTable('prospect_clicks')
      .addColumn('campaign_id', 'text', (column) => column.notNull())
      .addColumn('ad_id', 'text', (column) => column.notNull())
      .addColumn('affiliate_site_id', 'text', (column) => column.notNull())
      .addColumn('prospect', 'text', (column) => column.notNull())
      .addColumn('day', 'date', (column) => column.notNull())
      .addColumn('clicks', 'integer', (column) => column.notNull())
      .addPrimaryKeyConstraint('prospect_clicks_pk', ['day', 'campaign_id', 'ad_id', 'affiliate_site_id', 'prospect'])
      .execute();
    // A visitor's rows, re-keyed when the visitor is identified.
    await db.schema.createIndex('prospect_clicks_by_prospect').on('prospect_clicks').column('prospect').execute();
    await db.schema
      .createTable('touches')
      .addColumn('touch_id', 'text', (column) => column.primaryKey())
      .addColumn('prospect', 'text', (column) => column.notNull())
      .addColumn('touched_at', 'timestamptz', (column) => column.notNull())
      .addColumn('campaign_id', 'text', (column) => column.notNull())
      .execute();
    // A customer's touches in the window before a purchase.
    await db.schema.createIndex('touches_by_prospect').on('touches').columns(['prospect', 'touched_at']).execute();
    await db.schema
      .createTable('acquisitions')
      .addColumn('campaign_id', 'text', (column) => column.notNull())
      .addColumn('ad_id', 'text', (column) => column.notNull())
      .addColumn('affiliate_site_id', 'text', (column) => column.notNull())
      .addColumn('day', 'date', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('leads', 'integer', (column) => column.notNull())
      .addColumn('conversions', 'integer', (column) => column.notNull())
      .addColumn('revenue_minor', 'bigint', (column) => column.notNull())
      .addColumn('refunds_minor', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('acquisitions_pk', ['day', 'campaign_id', 'ad_id', 'affiliate_site_id', 'currency'])
      .execute();
    await db.schema
      .createTable('revenue_entries')
      .addColumn('customer_id', 'text', (column) => column.notNull())
      .addColumn('order_id', 'text', (column) => column.notNull())
      .addColumn('entry_id', 'text', (column) => column.notNull())
      .addColumn('day', 'date', (column) => column.notNull())
      .addColumn('purchased_at', 'timestamptz', (column) => column.notNull())
      .addColumn('currency', 'text', (column) => column.notNull())
      .addColumn('amount_minor', 'bigint', (column) => column.notNull())
      .addColumn('is_refund', 'boolean', (column) => column.notNull())
      .addColumn('first_purchase', 'boolean', (column) => column.notNull())
      .addPrimaryKeyConstraint('revenue_entries_pk', ['customer_id', 'order_id', 'entry_id'])
      .execute();
    await db.schema.createIndex('revenue_entries_by_day').on('revenue_entries').column('day').execute();
  },
};
