import { csvFormat, type CsvColumn } from '#http';
import type { DemographicsReport, Margin, ProductsReport, ProfitabilityReport, TrendsReport } from '#projections/sales-analytics';
import type { AffiliatesReport, AttributionReport, CampaignFigures, CampaignsReport } from './marketing.queries.js';
import type { Money } from '../shared/money.js';

/**
 * Each report as CSV: the rows of its JSON flattened, one line each, nested lists as lines of
 * their own (an ad after its campaign, a segment's products after its total line, with the keys
 * of the line above them repeated), the money columns in the report's currency.
 */

/** The text of a table: its header, then a line per row. */
function table<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const format = csvFormat(columns);
  return format.header + rows.map(format.line).join('');
}

const moneyColumns = <T extends Money>(currency: string): CsvColumn<T>[] => [
  ['revenue_minor', (row) => row.revenueMinor],
  ['refunds_minor', (row) => row.refundsMinor],
  ['net_revenue_minor', (row) => row.netRevenueMinor],
  ['currency', () => currency],
];

type CampaignLine = CampaignFigures & {
  campaignId: string;
  adId: string | null;
  name: string | null;
  channel?: string | null;
  startsOn?: string | null;
  endsOn?: string | null;
  budgetMinor?: number | null;
  budgetCurrency?: string | null;
  costPerConversionMinor?: number | null;
};

export function campaignsCsv(report: CampaignsReport): string {
  const lines = report.items.flatMap((campaign): CampaignLine[] => [
    { ...campaign, adId: null },
    ...campaign.ads.map((ad) => ({ ...ad, campaignId: campaign.campaignId })),
  ]);
  return table<CampaignLine>(
    [
      ['campaign_id', (row) => row.campaignId],
      // Empty on a campaign's own line; its ads follow it.
      ['ad_id', (row) => row.adId],
      ['name', (row) => row.name],
      ['channel', (row) => row.channel ?? null],
      ['starts_on', (row) => row.startsOn ?? null],
      ['ends_on', (row) => row.endsOn ?? null],
      ['budget_minor', (row) => row.budgetMinor ?? null],
      ['budget_currency', (row) => row.budgetCurrency ?? null],
      ['clicks', (row) => row.clicks],
      ['unique_prospects', (row) => row.uniqueProspects],
      ['leads', (row) => row.leads],
      ['conversions', (row) => row.conversions],
      ['conversion_rate_pct', (row) => row.conversionRatePct],
      ['cost_per_conversion_minor', (row) => row.costPerConversionMinor ?? null],
      ...moneyColumns<CampaignLine>(report.currency),
    ],
    lines,
  );
}

export function affiliatesCsv(report: AffiliatesReport): string {
  return table(
    [
      ['rank', (row) => row.rank],
      ['affiliate_site_id', (row) => row.affiliateSiteId],
      ['name', (row) => row.name],
      ['url', (row) => row.url],
      ['clicks', (row) => row.clicks],
      ['leads', (row) => row.leads],
      ['conversions', (row) => row.conversions],
      ...moneyColumns<AffiliatesReport['items'][number]>(report.currency),
    ],
    report.items,
  );
}

export function attributionCsv(report: AttributionReport): string {
  return table(
    [
      ['model', () => report.model],
      ['lookback_days', () => report.lookbackDays],
      // Empty: purchases without a touch in the window.
      ['campaign_id', (row) => row.campaignId],
      ['name', (row) => row.name],
      ['conversions', (row) => row.conversions],
      ...moneyColumns<AttributionReport['items'][number]>(report.currency),
    ],
    report.items,
  );
}

export function demographicsCsv(report: DemographicsReport): string {
  type Line = DemographicsReport['dimensions']['region'][number] & { dimension: string };
  const lines: Line[] = [
    { dimension: 'all', value: null, customers: report.customers, revenueMinor: report.revenueMinor, refundsMinor: report.refundsMinor, netRevenueMinor: report.netRevenueMinor },
    ...Object.entries(report.dimensions).flatMap(([dimension, rows]) => rows.map((row) => ({ ...row, dimension }))),
  ];
  return table<Line>(
    [
      ['dimension', (row) => row.dimension],
      // Empty: customers who did not say (and the `all` line).
      ['value', (row) => row.value],
      ['customers', (row) => row.customers],
      ...moneyColumns<Line>(report.currency),
    ],
    lines,
  );
}

export function productsCsv(report: ProductsReport): string {
  return table(
    [
      ['sku', (row) => row.sku],
      ['name', (row) => row.name],
      ['category', (row) => row.category],
      ['units_sold', (row) => row.unitsSold],
      ['units_refunded', (row) => row.unitsRefunded],
      ['units_with_list_price', (row) => row.unitsWithListPrice],
      ['average_discount_minor', (row) => row.averageDiscountMinor],
      ['average_discount_pct', (row) => row.averageDiscountPct],
      // `from-to:units` per price point, `;`-separated: one cell, so a product stays one line.
      ['price_points', (row) => row.pricePoints.map((point) => `${point.fromMinor}-${point.toMinor}:${point.units}`).join(';')],
      ...moneyColumns<ProductsReport['items'][number]>(report.currency),
    ],
    report.items,
  );
}

export function trendsCsv(report: TrendsReport): string {
  return table(
    [
      ['period_start', (row) => row.periodStart],
      ['category', (row) => row.category],
      ['units', (row) => row.units],
      ['net_revenue_minor', (row) => row.netRevenueMinor],
      ['units_year_before', (row) => row.unitsYearBefore],
      ['net_revenue_year_before_minor', (row) => row.netRevenueYearBeforeMinor],
      ['net_revenue_change_pct', (row) => row.netRevenueChangePct],
      ['currency', () => report.currency],
    ],
    report.items,
  );
}

export function profitabilityCsv(report: ProfitabilityReport): string {
  type Line = Margin & { value: string | null; rank: number | null; sku: string | null; name: string | null };
  const lines = report.items.flatMap(({ products, ...total }): Line[] => [
    { ...total, rank: null, sku: null, name: null },
    ...products.map((product) => ({ ...product, value: total.value })),
  ]);
  return table<Line>(
    [
      ['segment', () => report.segment],
      ['value', (row) => row.value],
      // Empty on the segment value's total line; its top products follow it.
      ['rank', (row) => row.rank],
      ['sku', (row) => row.sku],
      ['name', (row) => row.name],
      ['units', (row) => row.units],
      ['net_revenue_minor', (row) => row.netRevenueMinor],
      ['cost_minor', (row) => row.costMinor],
      ['margin_minor', (row) => row.marginMinor],
      ['margin_pct', (row) => row.marginPct],
      ['currency', () => report.currency],
    ],
    lines,
  );
}
