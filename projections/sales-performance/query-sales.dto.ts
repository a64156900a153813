import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageCursor, PageLimit } from '#http';
import { TASK_STATUS_FILTERS, type TaskStatusFilter } from '#projections/rep-tasks';
import { ConsistencyQueryDto } from '#read-model-engine';
import { GOAL_PERIODS, TASK_KINDS, type GoalPeriod, type TaskKind } from '#sales/domain';
import { PERIOD_KINDS, type PeriodKind } from './commission.calc.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = (property: string) => ({ message: `${property} must be a calendar date (YYYY-MM-DD)` });
const MAX_PAGE = 1_000;

class PageQueryDto extends ConsistencyQueryDto {
  @PageLimit(MAX_PAGE)
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class RepCommissionsQueryDto extends ConsistencyQueryDto {
  @ApiProperty({ enum: PERIOD_KINDS, description: 'Totals per day, month, quarter or year (UTC)' })
  @IsIn(PERIOD_KINDS, { message: `period must be one of ${PERIOD_KINDS.join(', ')}` })
  period!: PeriodKind;

  @ApiPropertyOptional({ description: 'From the period containing this date (default: 1 January of `to`’s year)', example: '2026-01-01' })
  @IsOptional()
  @Matches(DATE, date('from'))
  from?: string;

  @ApiPropertyOptional({ description: 'To the period containing this date, inclusive (default: today, UTC)', example: '2026-12-31' })
  @IsOptional()
  @Matches(DATE, date('to'))
  to?: string;
}

export class CommissionsQueryDto extends PageQueryDto {
  @ApiProperty({ enum: PERIOD_KINDS })
  @IsIn(PERIOD_KINDS, { message: `period must be one of ${PERIOD_KINDS.join(', ')}` })
  period!: PeriodKind;

  @ApiPropertyOptional({ example: '2026-01-01' })
  @IsOptional()
  @Matches(DATE, date('from'))
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptional()
  @Matches(DATE, date('to'))
  to?: string;

  @ApiPropertyOptional({ description: 'Only reps of this team' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  team?: string;
}

export class LeaderboardQueryDto extends ConsistencyQueryDto {
  @ApiPropertyOptional({ enum: PERIOD_KINDS, default: 'month' })
  @IsOptional()
  @IsIn(PERIOD_KINDS, { message: `period must be one of ${PERIOD_KINDS.join(', ')}` })
  period?: PeriodKind;

  @ApiPropertyOptional({ description: 'A date inside the period (default: today, UTC)', example: '2026-11-23' })
  @IsOptional()
  @Matches(DATE, date('date'))
  date?: string;

  @ApiPropertyOptional({ description: 'Rank this team only' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  team?: string;

  @ApiPropertyOptional({ description: 'Rank money of this currency only (default: each currency sold in the period, ranked on its own)', example: 'EUR' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code (3 capital letters)' })
  currency?: string;
}

export class GoalsQueryDto extends ConsistencyQueryDto {
  @ApiPropertyOptional({ enum: GOAL_PERIODS })
  @IsOptional()
  @IsIn(GOAL_PERIODS, { message: `period must be one of ${GOAL_PERIODS.join(', ')}` })
  period?: GoalPeriod;

  @ApiPropertyOptional({ description: 'Goals of periods starting on or after this date', example: '2026-01-01' })
  @IsOptional()
  @Matches(DATE, date('from'))
  from?: string;

  @ApiPropertyOptional({ description: 'Goals of periods starting on or before this date', example: '2026-12-01' })
  @IsOptional()
  @Matches(DATE, date('to'))
  to?: string;
}

export class TasksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUS_FILTERS, description: '`open` includes overdue; default: open and done' })
  @IsOptional()
  @IsIn(TASK_STATUS_FILTERS, { message: `status must be one of ${TASK_STATUS_FILTERS.join(', ')}` })
  status?: TaskStatusFilter;

  @ApiPropertyOptional({ enum: TASK_KINDS })
  @IsOptional()
  @IsIn(TASK_KINDS, { message: `kind must be one of ${TASK_KINDS.join(', ')}` })
  kind?: TaskKind;

  @ApiPropertyOptional({ description: 'Only tasks about this customer' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  customerId?: string;

  @ApiPropertyOptional({ description: 'Due on or after (inclusive)', example: '2026-11-01' })
  @IsOptional()
  @Matches(DATE, date('dueFrom'))
  dueFrom?: string;

  @ApiPropertyOptional({ description: 'Due before (exclusive)', example: '2026-12-01' })
  @IsOptional()
  @Matches(DATE, date('dueBefore'))
  dueBefore?: string;
}
