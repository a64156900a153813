import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { GOAL_PERIODS, type GoalPeriod } from '#sales/domain';
import { CalendarDate, CurrencyCode, MAX_MINOR, OptionalId, Text } from '#http';

/** A commission rate in basis points: 750 is 7.5 %, 10,000 all of the revenue. */
function RateBps(description: string, example: number): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description: `${description}, in basis points (750 = 7.5 %)`, example, minimum: 0, maximum: 10_000 }),
    IsInt(),
    Min(0),
    Max(10_000),
  );
}

export class CategoryRateDto {
  @Text(100, { description: 'Product category, as purchase lines name it', example: 'hardware' })
  category!: string;

  @RateBps('Rate of sales in this category', 1000)
  rateBps!: number;
}

export class CommissionTierDto {
  @ApiProperty({ description: 'Revenue within one tier period (minor units) above which the tier rate applies', example: 5_000_000, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_MINOR)
  thresholdMinor!: number;

  @RateBps('Rate above the threshold', 900)
  rateBps!: number;
}

export class SetCommissionPlanDto {
  @OptionalId('Id of the plan; derived from the command id when absent', 'plan-2026')
  planId?: string;

  @CalendarDate('First day the plan applies: today at the earliest, and after the latest plan’s', '2026-07-01')
  effectiveFrom!: string;

  @RateBps('Rate of every sale whose category has no rate of its own', 500)
  baseRateBps!: number;

  @ApiPropertyOptional({ type: () => [CategoryRateDto], maxItems: 200, description: 'Distinct categories' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => CategoryRateDto)
  categoryRates?: CategoryRateDto[];

  @ApiPropertyOptional({ type: () => [CommissionTierDto], maxItems: 50, description: 'Ascending thresholds; needs tierPeriod and currency' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CommissionTierDto)
  tiers?: CommissionTierDto[];

  @ApiPropertyOptional({ enum: GOAL_PERIODS, example: 'quarter', description: 'The period over which revenue counts towards a threshold (with tiers only)' })
  @IsOptional()
  @IsIn(GOAL_PERIODS)
  tierPeriod?: GoalPeriod;

  @CurrencyCode('ISO 4217 currency of the thresholds (with tiers only)', true)
  currency?: string;
}
