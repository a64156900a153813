import type { Insertable, Kysely, Selectable } from 'kysely';
import { campaignIdOfStream, toCampaignEvent, toVisitorEvent, visitorIdOfStream, type CampaignEvent, type VisitorEvent } from '#marketing/domain';
import { customerIdOfStream, toCustomerEvent, type CustomerEvent } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#read-model-engine';
import { addInto, anyOf, byKeys, distinct, inRows, insertRows, keyOf } from '#postgres';
import { utcDate } from '../shared/calendar.js';
import { calendarDate } from '../shared/date-columns.js';
import { campaignOf, customerProspect, visitorProspect, type SourceRef } from './marketing.calc.js';
import {
  NONE,
  initial,
  type AcquisitionsTable,
  type CampaignsTable,
  type CustomersTable,
  type MarketingTables,
  type ProspectClicksTable,
  type RevenueEntriesTable,
  type TouchesTable,
  type VisitorsTable,
} from './marketing.tables.js';

export const MARKETING_ATTRIBUTION = 'marketing-attribution';

/**
 * Campaigns, ads and affiliate sites: clicks and unique prospects, leads, conversions and revenue of
 * the customers each brought, and every touch for attribution. The rules:
 *
 * - A click is a LeadClickRecorded, or an AnonymousClickRecorded of a visitor; it counts for its
 *   campaign, ad and affiliate site (a click naming only an ad: the campaign listing that ad, see
 *   campaignOf). A touch is a click, site visit or form submission naming a campaign.
 * - A visitor is identified by the first CustomerRegistered or FormSubmissionRecorded naming them:
 *   from then on their clicks and touches, those before and after, are the customer's (the rows
 *   are re-keyed). Once that customer is erased the visitor's later clicks stay anonymous.
 * - A lead is a registration naming a campaign, ad or affiliate site (whatever the stage
 *   registered); the customer's source is kept. A conversion is the customer's first purchase in
 *   the log, credited to that source with all their purchases (revenue) and refunds (refunds).
 * - Each purchase and refund is kept with its purchase's time, so that queries attribute it to
 *   the touches in any window before the purchase, under any model.
 * - Days are the UTC dates of the business time (occurredAt, registeredAt, purchasedAt, refundedAt).
 *
 * A batch is applied with a few SELECTs, a pure walk in log order, and one multi-row statement per
 * table. Rows keep the last revision applied of every customer, campaign and visitor stream, so a
 * replayed event changes nothing.
 */
export const marketingProjection: Projection<MarketingTables> = {
  name: MARKETING_ATTRIBUTION,
  version: 1,
  migrations: { '0001-marketing-attribution': initial },
  async apply(db, events) {
    const items = decode(events);
    if (items.length === 0) return;
    const walk = walkBatch(items, await load(db, items));
    await write(db, walk, await loadIdentifiedRows(db, walk));
  },
};

/** What a batch learnt of a campaign; null: unchanged by the batch (the upsert keeps the stored value). */
type CampaignRow = Required<Insertable<CampaignsTable>>;
type CustomerRow = Selectable<CustomersTable>;
type VisitorRow = Selectable<VisitorsTable>;
type ClicksRow = Insertable<ProspectClicksTable> & { clicks: number };
type TouchRow = Insertable<TouchesTable>;
type AcquisitionRow = Required<Insertable<AcquisitionsTable>>;

/** The batch's events this projection reads, typed by stream. */
type Item =
  | { readonly stream: 'campaign'; readonly id: string; readonly event: RecordedEvent; readonly data: CampaignEvent }
  | { readonly stream: 'visitor'; readonly id: string; readonly event: RecordedEvent; readonly data: VisitorEvent }
  | { readonly stream: 'customer'; readonly id: string; readonly event: RecordedEvent; readonly data: CustomerEvent };

function decode(events: readonly RecordedEvent[]): Item[] {
  return events.flatMap((event): Item[] => {
    const customerId = customerIdOfStream(event.streamId);
    const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
    if (customerId !== undefined && customerEvent !== undefined) return [{ stream: 'customer', id: customerId, event, data: customerEvent }];
    const campaignId = campaignIdOfStream(event.streamId);
    const campaignEvent = campaignId === undefined ? undefined : toCampaignEvent(event);
    if (campaignId !== undefined && campaignEvent !== undefined) return [{ stream: 'campaign', id: campaignId, event, data: campaignEvent }];
    const visitorId = visitorIdOfStream(event.streamId);
    const visitorEvent = visitorId === undefined ? undefined : toVisitorEvent(event);
    if (visitorId !== undefined && visitorEvent !== undefined) return [{ stream: 'visitor', id: visitorId, event, data: visitorEvent }];
    return [];
  });
}

/** What the batch's events need from earlier batches. */
interface Loaded {
  readonly campaigns: Map<string, CampaignRow>;
  readonly customers: Map<string, CustomerRow>;
  readonly visitors: Map<string, VisitorRow>;
  /** Campaigns listing each ad id that some reference of the batch names without its campaign. */
  readonly adCampaigns: Map<string, Set<string>>;
  /** Purchase time (ISO) of each order refunded in the batch, by keyOf(customer, order). */
  readonly purchases: Map<string, string>;
}

/** The visitor a customer event identifies, if any. */
function visitorNamed(data: CustomerEvent): string | undefined {
  return data.type === 'CustomerRegistered' || data.type === 'FormSubmissionRecorded' ? data.data.visitorId : undefined;
}

/** The source references of an event, for the ad lookup. */
function referencesOf(item: Item): SourceRef[] {
  switch (item.data.type) {
    case 'CustomerRegistered':
    case 'LeadClickRecorded':
    case 'SiteVisitRecorded':
    case 'FormSubmissionRecorded':
    case 'AnonymousClickRecorded':
      return [item.data.data];
    default:
      return [];
  }
}

async function load(db: Kysely<MarketingTables>, items: readonly Item[]): Promise<Loaded> {
  const idsOf = (stream: Item['stream']) => distinct(items.map((item) => (item.stream === stream ? item.id : undefined)));
  const customerIds = idsOf('customer');
  const campaignIds = idsOf('campaign');
  const visitorIds = distinct([...idsOf('visitor'), ...items.map((item) => (item.stream === 'customer' ? visitorNamed(item.data) : undefined))]);
  const erased = distinct(items.map((item) => (item.data.type === 'CustomerErased' ? item.id : undefined)));
  const adIds = distinct(items.flatMap(referencesOf).map((ref) => (ref.campaignId === undefined ? ref.adId : undefined)));
  const refunded = items.flatMap((item) => (item.data.type === 'RefundRecorded' ? [[item.id, item.data.data.orderId, NONE]] : []));
  const [campaigns, customers, visitors, ads, purchases] = await Promise.all([
    byKeys(campaignIds, (ids) => db.selectFrom('campaigns').select(['campaign_id', 'revision']).where('campaign_id', '=', anyOf(ids)).execute()),
    byKeys(customerIds, (ids) => db.selectFrom('customers').selectAll().where('customer_id', '=', anyOf(ids)).execute()),
    visitorIds.length === 0 && erased.length === 0
      ? []
      : db
          .selectFrom('visitors')
          .selectAll()
          .where((eb) => eb.or([eb('visitor_id', '=', anyOf(visitorIds)), eb('customer_id', '=', anyOf(erased))]))
          .execute(),
    byKeys(adIds, (ids) => db.selectFrom('ads').select(['ad_id', 'campaign_id']).where('ad_id', '=', anyOf(ids)).execute()),
    byKeys(refunded, (entries) =>
      db.selectFrom('revenue_entries').select(['customer_id', 'order_id', 'purchased_at']).where(inRows(['customer_id', 'order_id', 'entry_id'], entries)).execute(),
    ),
  ]);
  const adCampaigns = new Map<string, Set<string>>();
  for (const ad of ads) adCampaigns.set(ad.ad_id, (adCampaigns.get(ad.ad_id) ?? new Set()).add(ad.campaign_id));
  return {
    campaigns: new Map(campaigns.map((row) => [row.campaign_id, emptyCampaign(row.campaign_id, row.revision)])),
    customers: new Map(customers.map((row) => [row.customer_id, row])),
    visitors: new Map(visitors.map((row) => [row.visitor_id, row])),
    adCampaigns,
    purchases: new Map(purchases.map((row) => [keyOf(row.customer_id, row.order_id), row.purchased_at.toISOString()])),
  };
}

/** The batch's effect, computed in memory in log order. */
interface Walk extends Loaded {
  readonly changedCampaigns: Set<string>;
  readonly changedCustomers: Set<string>;
  readonly changedVisitors: Set<string>;
  readonly ads: Map<string, Insertable<MarketingTables['ads']>>;
  readonly sites: Map<string, Insertable<MarketingTables['affiliate_sites']>>;
  /** Visitors identified in this batch: their rows stored by earlier batches move to the customer. */
  readonly identified: Map<string, string>;
  readonly clicks: Map<string, ClicksRow>;
  readonly touches: Map<string, TouchRow>;
  readonly acquisitions: Map<string, AcquisitionRow>;
  readonly entries: Insertable<RevenueEntriesTable>[];
}

const clicksKey = (row: ClicksRow) => keyOf(row.campaign_id, row.ad_id, row.affiliate_site_id, row.prospect, row.day);

function walkBatch(items: readonly Item[], loaded: Loaded): Walk {
  const walk: Walk = {
    ...loaded,
    changedCampaigns: new Set(),
    changedCustomers: new Set(),
    changedVisitors: new Set(),
    ads: new Map(),
    sites: new Map(),
    identified: new Map(),
    clicks: new Map(),
    touches: new Map(),
    acquisitions: new Map(),
    entries: [],
  };
  const campaignsListingAd = (adId: string) => [...(walk.adCampaigns.get(adId) ?? [])];

  /** A click or touch's campaign, ad and site as key columns (an ad without its campaign counts for no ad). */
  const sourceOf = (ref: SourceRef) => {
    const campaign = campaignOf(ref, campaignsListingAd) ?? NONE;
    return { campaign_id: campaign, ad_id: campaign === NONE ? NONE : (ref.adId ?? NONE), affiliate_site_id: ref.affiliateSiteId ?? NONE };
  };
  const touch = (touchId: string, prospect: string, ref: SourceRef, at: string) => {
    const { campaign_id } = sourceOf(ref);
    if (campaign_id !== NONE) walk.touches.set(touchId, { touch_id: touchId, prospect, touched_at: at, campaign_id });
  };
  const click = (touchId: string, prospect: string, ref: SourceRef, at: string) => {
    const source = sourceOf(ref);
    if (source.campaign_id === NONE && source.affiliate_site_id === NONE) return;
    const row: ClicksRow = { ...source, prospect, day: utcDate(at), clicks: 0 };
    addInto(walk.clicks, clicksKey(row), () => row, { clicks: 1 });
    touch(touchId, prospect, ref, at);
  };
  const acquisition = (customer: CustomerRow, day: string, currency: string, sums: Partial<Pick<AcquisitionRow, 'leads' | 'conversions' | 'revenue_minor' | 'refunds_minor'>>) => {
    const { campaign_id, ad_id, affiliate_site_id } = customer;
    if (campaign_id === NONE && affiliate_site_id === NONE) return;
    addInto(
      walk.acquisitions,
      keyOf(campaign_id, ad_id, affiliate_site_id, day, currency),
      () => ({ campaign_id, ad_id, affiliate_site_id, day, currency, leads: 0, conversions: 0, revenue_minor: 0, refunds_minor: 0 }),
      sums,
    );
  };
  const visitor = (visitorId: string): VisitorRow => walk.visitors.get(visitorId) ?? { visitor_id: visitorId, revision: -1, customer_id: null, released: false };
  const setVisitor = (row: VisitorRow) => {
    walk.visitors.set(row.visitor_id, row);
    walk.changedVisitors.add(row.visitor_id);
  };
  /** The first identification wins; the visitor's clicks and touches so far in the batch move to the customer at once. */
  const identify = (visitorId: string, customerId: string) => {
    const row = visitor(visitorId);
    if (row.customer_id !== null || row.released) return;
    setVisitor({ ...row, customer_id: customerId });
    walk.identified.set(visitorId, customerId);
    const [from, to] = [visitorProspect(visitorId), customerProspect(customerId)];
    for (const [key, clicks] of [...walk.clicks]) {
      if (clicks.prospect !== from) continue;
      walk.clicks.delete(key);
      const moved = { ...clicks, prospect: to, clicks: 0 };
      addInto(walk.clicks, clicksKey(moved), () => moved, { clicks: clicks.clicks });
    }
    for (const row of walk.touches.values()) if (row.prospect === from) row.prospect = to;
  };

  for (const item of items) {
    const { event } = item;
    switch (item.stream) {
      case 'campaign': {
        const campaignId = item.id;
        const before = walk.campaigns.get(campaignId) ?? emptyCampaign(campaignId, -1);
        if (event.revision <= before.revision) continue;
        let after: CampaignRow = { ...before, revision: event.revision };
        const addAd = (adId: string, name: string) => {
          walk.ads.set(keyOf(campaignId, adId), { campaign_id: campaignId, ad_id: adId, name });
          walk.adCampaigns.set(adId, (walk.adCampaigns.get(adId) ?? new Set()).add(campaignId));
        };
        const addSite = (site: { affiliateSiteId: string; name: string; url: string }) =>
          walk.sites.set(site.affiliateSiteId, { affiliate_site_id: site.affiliateSiteId, name: site.name, url: site.url });
        switch (item.data.type) {
          case 'CampaignLaunched': {
            const { name, channel, budgetMinor, currency, startsOn, endsOn, ads, affiliates } = item.data.data;
            after = { ...after, name, channel, budget_minor: budgetMinor, currency, starts_on: startsOn, ends_on: endsOn };
            for (const ad of ads) addAd(ad.adId, ad.name);
            for (const site of affiliates) addSite(site);
            break;
          }
          case 'CampaignAdAdded':
            addAd(item.data.data.ad.adId, item.data.data.ad.name);
            break;
          case 'CampaignAffiliateAdded':
            addSite(item.data.data.affiliate);
            break;
          case 'CampaignEnded':
            after = { ...after, ended_on: item.data.data.endedOn };
            break;
        }
        walk.campaigns.set(campaignId, after);
        walk.changedCampaigns.add(campaignId);
        break;
      }
      case 'visitor': {
        const before = visitor(item.id);
        if (event.revision <= before.revision) continue;
        setVisitor({ ...before, revision: event.revision });
        const data = item.data.data;
        click(event.id, before.customer_id === null ? visitorProspect(item.id) : customerProspect(before.customer_id), data, data.occurredAt);
        break;
      }
      case 'customer': {
        const customerId = item.id;
        const prospect = customerProspect(customerId);
        let customer = walk.customers.get(customerId) ?? { customer_id: customerId, revision: -1, campaign_id: NONE, ad_id: NONE, affiliate_site_id: NONE, converted: false };
        if (event.revision <= customer.revision) continue;
        customer = { ...customer, revision: event.revision };
        const data = item.data;
        switch (data.type) {
          case 'CustomerRegistered': {
            const source = sourceOf(data.data);
            customer = { ...customer, ...source };
            acquisition(customer, utcDate(data.data.registeredAt), NONE, { leads: 1 });
            if (data.data.visitorId !== undefined) identify(data.data.visitorId, customerId);
            break;
          }
          case 'LeadClickRecorded':
            click(event.id, prospect, data.data, data.data.occurredAt);
            break;
          case 'SiteVisitRecorded':
            touch(event.id, prospect, data.data, data.data.occurredAt);
            break;
          case 'FormSubmissionRecorded':
            if (data.data.visitorId !== undefined) identify(data.data.visitorId, customerId);
            touch(event.id, prospect, data.data, data.data.occurredAt);
            break;
          case 'PurchaseRecorded': {
            const { orderId, currency, totalMinor, purchasedAt } = data.data;
            const day = utcDate(purchasedAt);
            const first = !customer.converted;
            customer = { ...customer, converted: true };
            walk.purchases.set(keyOf(customerId, orderId), purchasedAt);
            walk.entries.push({ customer_id: customerId, order_id: orderId, entry_id: NONE, day, purchased_at: purchasedAt, currency, amount_minor: totalMinor, is_refund: false, first_purchase: first });
            acquisition(customer, day, currency, { conversions: first ? 1 : 0, revenue_minor: totalMinor });
            break;
          }
          case 'RefundRecorded': {
            const { refundId, orderId, currency, totalMinor, refundedAt } = data.data;
            const purchasedAt = walk.purchases.get(keyOf(customerId, orderId));
            // The decider refunds only recorded orders of the same stream: a miss is a broken log, and stops the projection.
            if (purchasedAt === undefined) throw new Error(`refund ${refundId} of customer ${customerId} refunds order ${orderId}, which was never purchased`);
            const day = utcDate(refundedAt);
            walk.entries.push({ customer_id: customerId, order_id: orderId, entry_id: refundId, day, purchased_at: purchasedAt, currency, amount_minor: totalMinor, is_refund: true, first_purchase: false });
            acquisition(customer, day, currency, { refunds_minor: totalMinor });
            break;
          }
          case 'CustomerErased':
            for (const row of [...walk.visitors.values()]) if (row.customer_id === customerId) setVisitor({ ...row, customer_id: null, released: true });
            break;
          default:
            break;
        }
        walk.customers.set(customerId, customer);
        walk.changedCustomers.add(customerId);
        break;
      }
    }
  }
  return walk;
}

function emptyCampaign(campaignId: string, revision: number): CampaignRow {
  return { campaign_id: campaignId, revision, name: null, channel: null, budget_minor: null, currency: null, starts_on: null, ends_on: null, ended_on: null };
}

const CAMPAIGN_FIELDS = ['name', 'channel', 'budget_minor', 'currency', 'starts_on', 'ends_on', 'ended_on'] as const satisfies readonly (keyof CampaignsTable)[];

/** Rows earlier batches stored under the visitors this batch identified. */
interface IdentifiedRows {
  readonly clicks: ClicksRow[];
  readonly touches: TouchRow[];
}

async function loadIdentifiedRows(db: Kysely<MarketingTables>, walk: Walk): Promise<IdentifiedRows> {
  if (walk.identified.size === 0) return { clicks: [], touches: [] };
  const prospects = [...walk.identified.keys()].map(visitorProspect);
  const [clicks, touches] = await Promise.all([
    db
      .selectFrom('prospect_clicks')
      .select(['campaign_id', 'ad_id', 'affiliate_site_id', 'prospect', 'clicks'])
      .select(calendarDate('day').as('day'))
      .where('prospect', '=', anyOf(prospects))
      .execute(),
    db.selectFrom('touches').select(['touch_id', 'prospect', 'campaign_id', 'touched_at']).where('prospect', '=', anyOf(prospects)).execute(),
  ]);
  return { clicks, touches: touches.map((row) => ({ ...row, touched_at: row.touched_at.toISOString() })) };
}

async function write(db: Kysely<MarketingTables>, walk: Walk, stored: IdentifiedRows): Promise<void> {
  const rowsOf = <T>(ids: Set<string>, rows: Map<string, T>) => [...ids].map((id) => rows.get(id) as T);
  // A campaign's fields the batch did not learn (null) keep their stored values.
  await insertRows(db, 'campaigns', rowsOf(walk.changedCampaigns, walk.campaigns), { key: ['campaign_id'], set: ['revision'], setUnlessNull: CAMPAIGN_FIELDS });
  await insertRows(db, 'ads', [...walk.ads.values()], { key: ['campaign_id', 'ad_id'], set: ['name'] });
  await insertRows(db, 'affiliate_sites', [...walk.sites.values()], { key: ['affiliate_site_id'], set: ['name', 'url'] });
  await insertRows(db, 'customers', rowsOf(walk.changedCustomers, walk.customers), {
    key: ['customer_id'],
    set: ['revision', 'campaign_id', 'ad_id', 'affiliate_site_id', 'converted'],
  });
  await insertRows(db, 'visitors', rowsOf(walk.changedVisitors, walk.visitors), { key: ['visitor_id'], set: ['revision', 'customer_id', 'released'] });

  // Identified visitors' stored clicks are deleted and added to the customer's with the batch's own.
  if (stored.clicks.length > 0) {
    await db
      .deleteFrom('prospect_clicks')
      .where('prospect', '=', anyOf(distinct(stored.clicks.map((row) => row.prospect))))
      .execute();
  }
  const clicks = new Map(walk.clicks);
  for (const row of stored.clicks) {
    const moved = { ...row, prospect: customerProspect(walk.identified.get(row.prospect.slice(2)) as string), clicks: 0 };
    addInto(clicks, clicksKey(moved), () => moved, { clicks: row.clicks });
  }
  await insertRows(db, 'prospect_clicks', [...clicks.values()], { key: ['day', 'campaign_id', 'ad_id', 'affiliate_site_id', 'prospect'], add: ['clicks'] });
  const touches = [...walk.touches.values(), ...stored.touches.map((row) => ({ ...row, prospect: customerProspect(walk.identified.get(row.prospect.slice(2)) as string) }))];
  await insertRows(db, 'touches', touches, { key: ['touch_id'], set: ['prospect'] });
  await insertRows(db, 'acquisitions', [...walk.acquisitions.values()], {
    key: ['day', 'campaign_id', 'ad_id', 'affiliate_site_id', 'currency'],
    add: ['leads', 'conversions', 'revenue_minor', 'refunds_minor'],
  });
  // Each purchase and refund is applied once (its stream's revision guards it): a conflict is a bug, and fails.
  await insertRows(db, 'revenue_entries', walk.entries);
}
