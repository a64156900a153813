import { Controller, Get, Headers, Module, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import type { Kysely } from 'kysely';
import { Roles } from '#auth';
import { FOLLOW_UP_SCHEDULER } from '#follow-ups/domain';
import { ApiProblemResponse, PageCursor, PageLimit } from '#http';
import { CONSISTENT_WITH, ConsistencyHeader, ConsistencyQueryDto, ReadModels, ReadModelsModule } from '#read-model-engine';
import { CONTRACTS_EXPIRING } from './contracts-expiring.projection.js';
import { ContractsExpiringQueries, type ExpiringPage } from './contracts-expiring.queries.js';

const DAY_MS = 86_400_000;

export class ExpiringContractsQueryDto extends ConsistencyQueryDto {
  @ApiPropertyOptional({ description: 'How far ahead: contracts ending from today (UTC) to this many days later, inclusive', example: '90d', default: '90d' })
  @IsOptional()
  @Matches(/^(?:[1-9]\d{0,2}|[1-3]\d{3})d$/, { message: 'within must be a number of days from 1 to 3999 followed by d, e.g. 90d' })
  within?: string;

  @PageLimit(500, 100)
  limit?: number;

  @PageCursor()
  cursor?: string;
}

/** Contracts about to expire, with where each one's follow-up stands. */
@ApiTags('contracts')
@Roles('analyst', 'admin')
@Controller('contracts')
@ApiProblemResponse(400, 'Invalid or unknown query parameter, cursor or position')
@ApiProblemResponse(503, 'The read model has not reached the requested position in time, or is not built yet')
export class ContractsQueryController {
  constructor(private readonly readModels: ReadModels) {}

  @Get('expiring')
  @ConsistencyHeader()
  @ApiOperation({
    summary: 'Contracts expiring soon, with their follow-up status',
    description:
      'Live contracts ending within `within` days from today (UTC), soonest first, keyset pages. followUp.status: scheduled (with dueAt), ' +
      'due (FollowUpDue recorded, no task), task_created (the owner has the task), none (nothing scheduled).',
  })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  async expiring(@Query() query: ExpiringContractsQueryDto, @Headers(CONSISTENT_WITH) header?: string): Promise<ExpiringPage> {
    const schema = await this.readModels.schema(CONTRACTS_EXPIRING, query, header);
    const schedulerSchema = await this.readModels.alongside(FOLLOW_UP_SCHEDULER);
    const days = Number((query.within ?? '90d').slice(0, -1));
    const today = new Date().toISOString().slice(0, 10);
    const to = new Date(Date.parse(today) + days * DAY_MS).toISOString().slice(0, 10);
    const queries = new ContractsExpiringQueries(this.readModels.db as unknown as Kysely<unknown>, schema, schedulerSchema);
    return queries.expiring({ from: today, to, limit: query.limit ?? 100, cursor: query.cursor });
  }
}

@Module({ imports: [ReadModelsModule], controllers: [ContractsQueryController] })
export class ContractsModule {}
