import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type pg from 'pg';
import { Roles } from '#auth';
import type { EventStore } from '#event-store';
import { ApiProblemResponse, notFoundProblem } from '#http';
import { verifyProjection, type Projection, type Verification } from '#read-model-engine';
import { EVENT_STORE, PG_POOL } from '#providers';

/** The read models an auditor may verify: the app's own list (a library never reaches into projections/). */
export const AUDITED_PROJECTIONS = Symbol('AUDITED_PROJECTIONS');

/** The auditor's check that a read model and the log agree. */
@ApiTags('audit')
@Roles('auditor', 'admin')
@Controller('audit/projections')
export class ProjectionVerifyController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AUDITED_PROJECTIONS) private readonly projections: readonly Projection[],
  ) {}

  @Post(':name/verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify a read model against the log',
    description:
      'Rebuilds the projection from the log into scratch tables, up to the checkpoint of the live tables, and lists every row that ' +
      'differs (`only: live` or `only: rebuilt`); none when all is well. Both sides are read in one snapshot. Events operators ' +
      'skipped in that version (`cli projections skip`) are passed by the rebuild as by the live tables, and listed in `skipped`. ' +
      'Each verification has its own scratch tables: requests may overlap.',
  })
  @ApiOkResponse({ description: '{ projection, version, build, position, tables, differences, truncated, skipped }' })
  @ApiProblemResponse(404, 'No projection of that name')
  verify(@Param('name') name: string): Promise<Verification> {
    const projection = this.projections.find((candidate) => candidate.name === name);
    if (!projection) {
      throw notFoundProblem(`no projection ${name}; known: ${this.projections.map((p) => p.name).join(', ')}`);
    }
    return verifyProjection(this.pool, this.store, projection);
  }
}
