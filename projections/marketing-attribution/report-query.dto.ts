import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { MAX_PRICE_BUCKET_MINOR, MAX_TOP, PROFIT_SEGMENTS, type ProfitSegment, TREND_INTERVALS, type TrendInterval } from '#projections/sales-analytics';
import { ConsistencyQueryDto } from '#read-model-engine';
import { ATTRIBUTION_MODELS, type AttributionModel } from './marketing.calc.js';
import { MAX_LOOKBACK_DAYS } from './marketing.queries.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = (property: string) => ({ message: `${property} must be a calendar date (YYYY-MM-DD)` });
const oneOf = (property: string, values: readonly string[]) => ({ message: `${property} must be one of ${values.join(', ')}` });

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What every report accepts: a range of business dates, the currency of its money, the representation. */
export class ReportQueryDto extends ConsistencyQueryDto {
  @ApiPropertyOptional({ description: 'First day (UTC), inclusive; default: 1 January of `to`’s year', example: '2026-03-01' })
  @IsOptional()
  @Matches(DATE, date('from'))
  from?: string;

  @ApiPropertyOptional({ description: 'Last day (UTC), inclusive; default: today', example: '2026-03-31' })
  @IsOptional()
  @Matches(DATE, date('to'))
  to?: string;

  @ApiProperty({ description: 'Money figures cover sales and refunds in this currency only (ISO 4217)', example: 'EUR' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code (3 capital letters)' })
  currency!: string;

  @ApiPropertyOptional({ enum: REPORT_FORMATS, description: 'csv: the report as RFC 4180 CSV; default: csv when Accept asks for text/csv, else json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS, oneOf('format', REPORT_FORMATS))
  format?: ReportFormat;
}

export class AttributionQueryDto extends ReportQueryDto {
  @ApiProperty({ enum: ATTRIBUTION_MODELS, description: 'first-touch: all to the oldest touch in the window; last-touch: to the latest; linear: a share per touch' })
  @IsIn(ATTRIBUTION_MODELS, oneOf('model', ATTRIBUTION_MODELS))
  model!: AttributionModel;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LOOKBACK_DAYS, default: 30, description: 'Touches count from this many days before a purchase up to it' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LOOKBACK_DAYS)
  lookbackDays?: number;
}

export class ProductsQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PRICE_BUCKET_MINOR, default: 100, description: 'Width of a price point, in minor units' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PRICE_BUCKET_MINOR)
  priceBucketMinor?: number;
}

export class TrendsQueryDto extends ReportQueryDto {
  @ApiProperty({ enum: TREND_INTERVALS, description: 'Calendar months, or ISO weeks (Monday to Sunday)' })
  @IsIn(TREND_INTERVALS, oneOf('interval', TREND_INTERVALS))
  interval!: TrendInterval;
}

export class ProfitabilityQueryDto extends ReportQueryDto {
  @ApiProperty({ enum: PROFIT_SEGMENTS, description: 'The customer attribute, as at each sale, to segment by' })
  @IsIn(PROFIT_SEGMENTS, oneOf('segment', PROFIT_SEGMENTS))
  segment!: ProfitSegment;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_TOP, default: 5, description: 'Products listed per segment value, by margin' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_TOP)
  top?: number;
}
