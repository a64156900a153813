import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { Roles } from '#auth';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#providers';
import { projectionStatuses, type ProjectionStatus } from '../projection-status.js';
import { type ProjectionsTables } from '../projections.migrations.js';
import { READ_MODELS_DB } from './read-models.tokens.js';

/** How far each projection is: for analysts wondering about freshness, and for operators' monitoring. */
@ApiTags('projections')
@Controller()
export class ProjectionsController {
  constructor(
    @Inject(READ_MODELS_DB) private readonly db: Kysely<ProjectionsTables>,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('projections')
  @Roles('analyst', 'admin')
  @ApiOperation({
    summary: 'Projection status',
    description:
      'Each build of each projection version: checkpoint, events applied, lag behind the log, state (`running`, `waiting` or `failed`). ' +
      'A failed one names the event it stopped at (`failure`: id, type, stream, position, error, since when) and the CLI command that ' +
      'lets it pass that event without applying it (`skipCommand`); `skipped` counts the events operators let the version pass, ' +
      'the latest first with their reasons.',
  })
  @ApiOkResponse({ description: 'One entry per projection version' })
  async list(): Promise<{ projections: ProjectionStatus[] }> {
    return { projections: await projectionStatuses(this.db, this.store) };
  }
}
