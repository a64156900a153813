import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { SALES_ANALYTICS, SalesAnalyticsQueries } from '#projections/sales-analytics';
import { Roles } from '#auth';
import { ApiProblemResponse } from '#http';
import { CONSISTENT_WITH, ConsistencyHeader, ReadModels } from '#read-model-engine';
import { MARKETING_ATTRIBUTION } from './marketing.projection.js';
import { MarketingQueries } from './marketing.queries.js';
import { yearToDate, type ReportRange } from '../shared/parameters.js';
import { AttributionQueryDto, ProductsQueryDto, ProfitabilityQueryDto, ReportQueryDto, TrendsQueryDto } from './report-query.dto.js';
import { affiliatesCsv, attributionCsv, campaignsCsv, demographicsCsv, productsCsv, profitabilityCsv, trendsCsv } from './reports.csv.js';

const DEFAULT_LOOKBACK_DAYS = 30;
const DEFAULT_PRICE_BUCKET_MINOR = 100;
const DEFAULT_TOP = 5;

const RANGE = 'Figures are dated by when things happened (UTC days, `from` and `to` inclusive); money is in `currency`, minor units, net of refunds dated in the range. ';
const CSV = 'JSON, or CSV with `format=csv` or `Accept: text/csv`.';

/**
 * The marketing and sales reports, for analysts: read from pre-aggregated tables of the
 * marketing-attribution and sales-analytics projections, never from the log. Each answers JSON
 * or CSV (content negotiation: `format` wins, else Accept), and like every query route first waits
 * for the position a client asks for (X-Consistent-With or consistentWith).
 */
@ApiTags('reports')
@Roles('analyst', 'admin')
@Controller('reports')
@ApiProblemResponse(400, 'Invalid or unknown query parameter, or position')
@ApiProblemResponse(503, 'The read model has not reached the requested position in time, or is not built yet')
export class ReportsController {
  constructor(private readonly readModels: ReadModels) {}

  @Get('campaigns')
  @ConsistencyHeader()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Campaigns and their ads',
    description:
      'Per campaign running or active in the range, and per ad: clicks, unique prospects, leads (registrations naming it), conversions (first purchases of those customers), ' +
      'conversion rate (conversions / leads), attributed revenue (their purchases - refunds), cost per conversion (whole budget / conversions). ' +
      RANGE +
      CSV,
  })
  @ApiOkResponse({ description: '{ from, to, currency, items: campaigns, each with its ads }' })
  async campaigns(@Query() query: ReportQueryDto, @Headers(CONSISTENT_WITH) header: string | undefined, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: ServerResponse) {
    const report = await (await this.marketing(query, header)).campaigns(rangeOf(query));
    return represent('campaigns', report, campaignsCsv, query, accept, response);
  }

  @Get('affiliates')
  @ConsistencyHeader()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Affiliate sites, ranked',
    description: 'Per affiliate site: clicks, leads, conversions and revenue as for campaigns; ranked by net revenue, conversions, leads, clicks. ' + RANGE + CSV,
  })
  @ApiOkResponse({ description: '{ from, to, currency, items }' })
  async affiliates(@Query() query: ReportQueryDto, @Headers(CONSISTENT_WITH) header: string | undefined, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: ServerResponse) {
    const report = await (await this.marketing(query, header)).affiliates(rangeOf(query));
    return represent('affiliates', report, affiliatesCsv, query, accept, response);
  }

  @Get('attribution')
  @ConsistencyHeader()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Conversions and revenue per campaign under an attribution model',
    description:
      'Each purchase and refund dated in the range is credited to the campaigns of the touches (clicks, an identified visitor’s too, site visits, form submissions) ' +
      'within lookbackDays before its purchase: first-touch, last-touch or linear. Conversions are first purchases; campaignId null: no touch in the window. ' +
      RANGE +
      CSV,
  })
  @ApiOkResponse({ description: '{ from, to, currency, model, lookbackDays, items }' })
  async attribution(@Query() query: AttributionQueryDto, @Headers(CONSISTENT_WITH) header: string | undefined, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: ServerResponse) {
    const report = await (await this.marketing(query, header)).attribution({ ...rangeOf(query), model: query.model, lookbackDays: query.lookbackDays ?? DEFAULT_LOOKBACK_DAYS });
    return represent('attribution', report, attributionCsv, query, accept, response);
  }

  @Get('demographics')
  @ConsistencyHeader()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Buyers and revenue by age band, gender, region, industry and company size',
    description: 'Distinct customers with a purchase in the range and their money, per value of each dimension as the customer was at each sale. ' + RANGE + CSV,
  })
  @ApiOkResponse({ description: '{ from, to, currency, customers, revenueMinor, refundsMinor, netRevenueMinor, dimensions: { ageBand, gender, region, industry, companySize } }' })
  async demographics(@Query() query: ReportQueryDto, @Headers(CONSISTENT_WITH) header: string | undefined, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: ServerResponse) {
    const report = await (await this.sales(query, header)).demographics(rangeOf(query));
    return represent('demographics', report, demographicsCsv, query, accept, response);
  }

  @Get('products')
  @ConsistencyHeader()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Units, revenue, price points and discounts per product',
    description: 'Per product: units sold and refunded, money, units per price point (buckets of priceBucketMinor), average discount from the list price in force on each sale’s date. ' + RANGE + CSV,
  })
  @ApiOkResponse({ description: '{ from, to, currency, priceBucketMinor, items }' })
  async products(@Query() query: ProductsQueryDto, @Headers(CONSISTENT_WITH) header: string | undefined, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: ServerResponse) {
    const report = await (await this.sales(query, header)).products({ ...rangeOf(query), priceBucketMinor: query.priceBucketMinor ?? DEFAULT_PRICE_BUCKET_MINOR });
    return represent('products', report, productsCsv, query, accept, response);
  }

  @Get('purchase-trends')
  @ConsistencyHeader()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Units and revenue per product category over time, beside the year before',
    description: 'Per month or ISO week (the range widened to whole periods) and category: net units and revenue, and the same month a year before or the week 52 weeks before. ' + RANGE + CSV,
  })
  @ApiOkResponse({ description: '{ from, to, currency, interval, periodsFrom, periodsTo, items }' })
  async purchaseTrends(@Query() query: TrendsQueryDto, @Headers(CONSISTENT_WITH) header: string | undefined, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: ServerResponse) {
    const report = await (await this.sales(query, header)).purchaseTrends({ ...rangeOf(query), interval: query.interval });
    return represent('purchase-trends', report, trendsCsv, query, accept, response);
  }

  @Get('profitability')
  @ConsistencyHeader()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Margin per product and customer segment, the top products of each segment',
    description: 'Per region, industry or age band (as at each sale) and product: net revenue - cost at the unit cost in force at each sale, of lines with a known cost. ' + RANGE + CSV,
  })
  @ApiOkResponse({ description: '{ from, to, currency, segment, top, items: segment values, each with its top products }' })
  async profitability(@Query() query: ProfitabilityQueryDto, @Headers(CONSISTENT_WITH) header: string | undefined, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) response: ServerResponse) {
    const report = await (await this.sales(query, header)).profitability({ ...rangeOf(query), segment: query.segment, top: query.top ?? DEFAULT_TOP });
    return represent('profitability', report, profitabilityCsv, query, accept, response);
  }

  private async marketing(query: ReportQueryDto, header: string | undefined): Promise<MarketingQueries> {
    return new MarketingQueries(this.readModels.db, await this.readModels.schema(MARKETING_ATTRIBUTION, query, header));
  }

  private async sales(query: ReportQueryDto, header: string | undefined): Promise<SalesAnalyticsQueries> {
    return new SalesAnalyticsQueries(this.readModels.db, await this.readModels.schema(SALES_ANALYTICS, query, header));
  }
}

/** The range asked for, defaults filled in: to today (UTC), from 1 January of to's year. */
function rangeOf(query: ReportQueryDto): ReportRange {
  return { ...yearToDate(query), currency: query.currency };
}

/** The report as JSON, or as CSV when `format=csv`, or no format and Accept asks for text/csv. */
function represent<R extends ReportRange>(name: string, report: R, toCsv: (report: R) => string, query: ReportQueryDto, accept: string | undefined, response: ServerResponse): R | string {
  // The representation depends on Accept: caches must key on it.
  response.setHeader('Vary', 'Accept');
  if (!(query.format === 'csv' || (query.format === undefined && acceptsCsv(accept)))) return report;
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${name}-${report.from}-${report.to}.csv"`);
  return toCsv(report);
}

/** Whether an Accept header lists text/csv (without q=0). */
function acceptsCsv(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === 'text/csv' && !parameters.some((parameter) => /^q=0(\.0*)?$/.test(parameter));
  });
}
