import { sql, type Kysely } from 'kysely';
import { anyOf, byKeys } from '#postgres';
import { calendarDate, dateValue, withinDates } from '../shared/date-columns.js';
import { moneyOf } from '../shared/money.js';
import { check, integerErrors, oneOfErrors, rangeErrors, type ReportRange } from '../shared/parameters.js';
import { ATTRIBUTION_MODELS, attribute, conversionRatePct, costPerConversion, customerProspect, type AttributionModel } from './marketing.calc.js';
import { NONE, type MarketingTables } from './marketing.tables.js';

/** Counts and money of one campaign, ad or affiliate site in a range; money in the report's currency, minor units. */
export interface SourceFigures {
  /** Clicks dated in the range (a visitor's included). */
  readonly clicks: number;
  /** Leads: registrations naming the source, dated in the range. */
  readonly leads: number;
  /** First purchases, dated in the range, of customers the source brought (in any currency). */
  readonly conversions: number;
  /** Purchases dated in the range of customers the source brought. */
  readonly revenueMinor: number;
  /** Refunds dated in the range of customers the source brought. */
  readonly refundsMinor: number;
  /** The attributed revenue: revenue - refunds. */
  readonly netRevenueMinor: number;
}

export interface CampaignFigures extends SourceFigures {
  /** Distinct people who clicked in the range: customers, and visitors nobody has identified. */
  readonly uniqueProspects: number;
  /** conversions / leads, percent to one decimal; null without leads. */
  readonly conversionRatePct: number | null;
}

export interface AdReportRow extends CampaignFigures {
  readonly adId: string;
  readonly name: string | null;
}

export interface CampaignReportRow extends CampaignFigures {
  readonly campaignId: string;
  /** Null for a campaign only seen on clicks (never launched). */
  readonly name: string | null;
  readonly channel: string | null;
  readonly startsOn: string | null;
  /** The planned end, or the day it was ended early. */
  readonly endsOn: string | null;
  readonly budgetMinor: number | null;
  readonly budgetCurrency: string | null;
  /** The whole budget / conversions in the range (budget's currency), rounded half up; null without conversions. */
  readonly costPerConversionMinor: number | null;
  /** Each ad of the campaign (the campaign's figures also count what names no ad). */
  readonly ads: AdReportRow[];
}

export interface CampaignsReport extends ReportRange {
  readonly items: CampaignReportRow[];
}

export interface AffiliateReportRow extends SourceFigures {
  /** 1 = best: net revenue, then conversions, leads, clicks, then site id. */
  readonly rank: number;
  readonly affiliateSiteId: string;
  readonly name: string | null;
  readonly url: string | null;
}

export interface AffiliatesReport extends ReportRange {
  readonly items: AffiliateReportRow[];
}

export interface AttributionQuery extends ReportRange {
  readonly model: AttributionModel;
  /** Touches count from this many days (24 h each) before a purchase up to the purchase. */
  readonly lookbackDays: number;
}

export interface AttributionReportRow {
  /** Null: purchases without a touch in the window (unattributed). */
  readonly campaignId: string | null;
  readonly name: string | null;
  /** Credited first purchases dated in the range, in any currency; fractions (linear) to four decimals. */
  readonly conversions: number;
  /** Credited purchases dated in the range. */
  readonly revenueMinor: number;
  /** Credited refunds dated in the range (split like their purchase). */
  readonly refundsMinor: number;
  readonly netRevenueMinor: number;
}

export interface AttributionReport extends AttributionQuery {
  readonly items: AttributionReportRow[];
}

export const MAX_LOOKBACK_DAYS = 365;

/**
 * Reads the marketing-attribution read model: the campaigns, affiliates and attribution reports.
 * Inputs are checked here (a 400 naming the field), as the other read models do.
 */
export class MarketingQueries {
  private readonly db: Kysely<MarketingTables>;

  /** `db`: any Kysely over the database; `schema`: the projection version's schema to read (the active one, for the API). */
  constructor(db: { withSchema(schema: string): object }, schema: string) {
    this.db = db.withSchema(schema) as Kysely<MarketingTables>;
  }

  /**
   * Every campaign launched and running during the range or with figures in it, by id, each with
   * its ads. Leads, conversions and revenue are those of the customers whose registration names
   * the campaign (or ad): acquisition, not touches (see attribution for that).
   */
  async campaigns(range: ReportRange): Promise<CampaignsReport> {
    check(rangeErrors(range));
    // `grouping sets`: one row per campaign and one per campaign and ad, in one pass.
    const bySource = sql`grouping sets ((campaign_id), (campaign_id, ad_id))`;
    const [clicks, acquisitions] = await Promise.all([
      this.db
        .selectFrom('prospect_clicks')
        .select(['campaign_id', 'ad_id', sql<number>`sum(clicks)`.as('clicks'), sql<number>`count(distinct prospect)`.as('prospects'), sql<number>`grouping(ad_id)`.as('all_ads')])
        .where('campaign_id', '<>', NONE)
        .where(withinDates('day', range))
        .groupBy(bySource)
        .execute(),
      this.acquisitions(range)
        .select(['campaign_id', 'ad_id', sql<number>`grouping(ad_id)`.as('all_ads')])
        .where('campaign_id', '<>', NONE)
        .groupBy(bySource)
        .execute(),
    ]);
    const active = [...new Set([...clicks, ...acquisitions].map((row) => row.campaign_id))];
    const campaigns = await this.db
      .selectFrom('campaigns')
      .select(['campaign_id', 'name', 'channel', 'budget_minor', 'currency'])
      .select([calendarDate('starts_on').as('starts_on'), sql<string | null>`to_char(coalesce(ended_on, ends_on), 'YYYY-MM-DD')`.as('ends_on')])
      .where((eb) =>
        eb.or([
          eb.and([eb('starts_on', '<=', dateValue(range.to)), eb(eb.fn.coalesce('ended_on', 'ends_on'), '>=', dateValue(range.from))]),
          eb('campaign_id', '=', anyOf(active)),
        ]),
      )
      .execute();
    const known = new Map(campaigns.map((row) => [row.campaign_id, row]));
    const ids = [...new Set([...known.keys(), ...active])].sort();
    const ads = await byKeys(ids, (keys) => this.db.selectFrom('ads').selectAll().where('campaign_id', '=', anyOf(keys)).execute());
    const adName = new Map(ads.map((ad) => [sourceKey(ad.campaign_id, ad.ad_id), ad.name]));

    const clicksOf = new Map(clicks.map((row) => [sourceKey(row.campaign_id, row.all_ads === 1 ? null : row.ad_id), row]));
    const moneyOf = new Map(acquisitions.map((row) => [sourceKey(row.campaign_id, row.all_ads === 1 ? null : row.ad_id), row]));
    const figures = (campaignId: string, adId: string | null): CampaignFigures => {
      const key = sourceKey(campaignId, adId);
      const money = sourceFigures(clicksOf.get(key)?.clicks ?? 0, moneyOf.get(key));
      return { ...money, uniqueProspects: clicksOf.get(key)?.prospects ?? 0, conversionRatePct: conversionRatePct(money.conversions, money.leads) };
    };
    return {
      ...range,
      items: ids.map((campaignId) => {
        const campaign = known.get(campaignId);
        const own = figures(campaignId, null);
        const adIds = new Set([
          ...ads.filter((ad) => ad.campaign_id === campaignId).map((ad) => ad.ad_id),
          ...[...clicks, ...acquisitions].filter((row) => row.campaign_id === campaignId && row.all_ads === 0 && row.ad_id !== NONE).map((row) => row.ad_id),
        ]);
        return {
          campaignId,
          name: campaign?.name ?? null,
          channel: campaign?.channel ?? null,
          startsOn: campaign?.starts_on ?? null,
          endsOn: campaign?.ends_on ?? null,
          budgetMinor: campaign?.budget_minor ?? null,
          budgetCurrency: campaign?.currency ?? null,
          ...own,
          costPerConversionMinor: campaign?.budget_minor == null ? null : costPerConversion(campaign.budget_minor, own.conversions),
          ads: [...adIds].sort().map((adId) => ({
            adId,
            name: adName.get(sourceKey(campaignId, adId)) ?? null,
            ...figures(campaignId, adId),
          })),
        };
      }),
    };
  }

  /** Every affiliate site known or with figures in the range, ranked. Leads, conversions and money as for campaigns, by the site their registration names. */
  async affiliates(range: ReportRange): Promise<AffiliatesReport> {
    check(rangeErrors(range));
    const [clicks, acquisitions, sites] = await Promise.all([
      this.db
        .selectFrom('prospect_clicks')
        .select(['affiliate_site_id', sql<number>`sum(clicks)`.as('clicks')])
        .where('affiliate_site_id', '<>', NONE)
        .where(withinDates('day', range))
        .groupBy('affiliate_site_id')
        .execute(),
      this.acquisitions(range).select('affiliate_site_id').where('affiliate_site_id', '<>', NONE).groupBy('affiliate_site_id').execute(),
      this.db.selectFrom('affiliate_sites').selectAll().execute(),
    ]);
    const clicksOf = new Map(clicks.map((row) => [row.affiliate_site_id, row.clicks]));
    const moneyOf = new Map(acquisitions.map((row) => [row.affiliate_site_id, row]));
    const siteOf = new Map(sites.map((row) => [row.affiliate_site_id, row]));
    const ids = [...new Set([...siteOf.keys(), ...clicksOf.keys(), ...moneyOf.keys()])];
    const rows = ids.map((affiliateSiteId) => ({
      affiliateSiteId,
      name: siteOf.get(affiliateSiteId)?.name ?? null,
      url: siteOf.get(affiliateSiteId)?.url ?? null,
      ...sourceFigures(clicksOf.get(affiliateSiteId) ?? 0, moneyOf.get(affiliateSiteId)),
    }));
    rows.sort(
      (a, b) =>
        b.netRevenueMinor - a.netRevenueMinor ||
        b.conversions - a.conversions ||
        b.leads - a.leads ||
        b.clicks - a.clicks ||
        (a.affiliateSiteId < b.affiliateSiteId ? -1 : 1),
    );
    return { ...range, items: rows.map((row, i) => ({ rank: i + 1, ...row })) };
  }

  /**
   * Conversions and revenue per campaign under `model`: each purchase and refund dated in the
   * range is credited to the campaigns of its purchase's touches within `lookbackDays` before the
   * purchase (see attribute); conversions are first purchases, revenue every purchase.
   */
  async attribution(query: AttributionQuery): Promise<AttributionReport> {
    check([
      ...rangeErrors(query),
      ...oneOfErrors('model', query.model, ATTRIBUTION_MODELS),
      ...integerErrors('lookbackDays', query.lookbackDays, 1, MAX_LOOKBACK_DAYS),
    ]);
    const { currency } = query;
    // Entries with the same touches (oldest first) are credited together: one row per touch sequence.
    const groups = await this.db
      .with('entries', (db) =>
        db
          .selectFrom('revenue_entries as e')
          .select(['e.currency', 'e.amount_minor', 'e.is_refund', 'e.first_purchase'])
          .select((eb) =>
            eb.fn
              .coalesce(
                eb
                  .selectFrom('touches as t')
                  .select(sql<string[]>`array_agg(t.campaign_id order by t.touched_at, t.touch_id)`.as('campaigns'))
                  // The customer's touches from lookbackDays before the purchase up to it.
                  .where(sql<boolean>`t.prospect = ${customerProspect('')} || e.customer_id`)
                  .where(sql<boolean>`t.touched_at between e.purchased_at - make_interval(days => ${query.lookbackDays}) and e.purchased_at`),
                sql<string[]>`'{}'`,
              )
              .as('campaigns'),
          )
          .where(withinDates('e.day', query))
          .where((eb) => eb.or([eb('e.currency', '=', currency), eb('e.first_purchase', '=', true)])),
      )
      .selectFrom('entries')
      .select([
        'campaigns',
        sql<number>`count(*) filter (where first_purchase)`.as('conversions'),
        sql<number>`coalesce(sum(amount_minor) filter (where currency = ${currency} and not is_refund), 0)::bigint`.as('revenue_minor'),
        sql<number>`coalesce(sum(amount_minor) filter (where currency = ${currency} and is_refund), 0)::bigint`.as('refunds_minor'),
      ])
      .groupBy('campaigns')
      .execute();
    const credits = attribute(
      query.model,
      groups.map((group) => ({ campaigns: group.campaigns, conversions: group.conversions, revenueMinor: group.revenue_minor, refundsMinor: group.refunds_minor })),
    );
    const ids = credits.flatMap((credit) => (credit.campaignId === null ? [] : [credit.campaignId]));
    const campaigns = await byKeys(ids, (keys) => this.db.selectFrom('campaigns').select(['campaign_id', 'name']).where('campaign_id', '=', anyOf(keys)).execute());
    const names = new Map(campaigns.map((row) => [row.campaign_id, row.name]));
    const { from, to, model, lookbackDays } = query;
    return { from, to, currency, model, lookbackDays, items: credits.map((credit) => ({ ...credit, name: credit.campaignId === null ? null : (names.get(credit.campaignId) ?? null) })) };
  }

  /** Sums of the acquisitions of a range, to be grouped by the caller: money in the range's currency only. */
  private acquisitions(range: ReportRange) {
    return this.db
      .selectFrom('acquisitions')
      .select([
        sql<number>`sum(leads)`.as('leads'),
        sql<number>`sum(conversions)`.as('conversions'),
        sql<number>`coalesce(sum(revenue_minor) filter (where currency = ${range.currency}), 0)::bigint`.as('revenue_minor'),
        sql<number>`coalesce(sum(refunds_minor) filter (where currency = ${range.currency}), 0)::bigint`.as('refunds_minor'),
      ])
      .where(withinDates('day', range));
  }
}

/** A campaign's (adId null) or ad's key in the grouped rows. */
function sourceKey(campaignId: string, adId: string | null): string {
  return JSON.stringify([campaignId, adId]);
}

function sourceFigures(clicks: number, money: { leads: number; conversions: number; revenue_minor: number; refunds_minor: number } | undefined): SourceFigures {
  return { clicks, leads: money?.leads ?? 0, conversions: money?.conversions ?? 0, ...moneyOf(money?.revenue_minor ?? 0, money?.refunds_minor ?? 0) };
}
