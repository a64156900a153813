import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { GOAL_PERIODS, type GoalPeriod } from '#sales/domain';
import { CalendarDate, CurrencyCode, MAX_MINOR } from '#http';

/** A period's goal: at least one target; it replaces an earlier goal of the same period. */
export class SetGoalDto {
  @ApiProperty({ enum: GOAL_PERIODS, example: 'month' })
  @IsIn(GOAL_PERIODS)
  period!: GoalPeriod;

  @CalendarDate('First day of the period: a month’s 1st, a quarter’s (January, April, July, October) or 1 January', '2026-07-01')
  periodStart!: string;

  @ApiPropertyOptional({ example: 5_000_000, minimum: 0, description: 'Revenue target in minor units; needs currency' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_MINOR)
  revenueMinor?: number;

  @CurrencyCode('ISO 4217 currency of revenueMinor (with it only)', true)
  currency?: string;

  @ApiPropertyOptional({ example: 12, minimum: 0, description: 'Deals to close' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  deals?: number;

  @ApiPropertyOptional({ example: 300, minimum: 0, description: 'Calls to make' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  calls?: number;
}
