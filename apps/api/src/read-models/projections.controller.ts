import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { Roles } from '#auth';
import type { EventStore } from '#event-store';
import { projectionStatuses, type ProjectionStatus, type ProjectionsTables } from '#projections';
import { EVENT_STORE } from '#runtime';
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
    description: 'Each projection version: checkpoint, events applied, lag behind the log, state (running or failed, with the failing event).',
  })
  @ApiOkResponse({ description: 'One entry per projection version' })
  async list(): Promise<{ projections: ProjectionStatus[] }> {
    return { projections: await projectionStatuses(this.db, this.store) };
  }

  @Get('metrics')
  @Roles('admin')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics', description: 'Projection lag, events applied and failures, in the Prometheus text format.' })
  async metrics(): Promise<string> {
    return prometheusText(await projectionStatuses(this.db, this.store));
  }
}

function prometheusText(statuses: readonly ProjectionStatus[]): string {
  const gauges: [name: string, help: string, value: (status: ProjectionStatus) => number][] = [
    ['crm_projection_events_behind', 'Events in the log not yet applied (counted up to 10000).', (s) => s.lag.eventsBehind],
    ['crm_projection_seconds_behind', 'Age in seconds of the oldest event not yet applied.', (s) => s.lag.secondsBehind],
    ['crm_projection_events_applied', 'Events applied since the projection version was built.', (s) => s.eventsApplied],
    ['crm_projection_failed', '1 when the projection stopped at an event it cannot apply.', (s) => (s.state === 'failed' ? 1 : 0)],
    ['crm_projection_waiting', '1 while the projection waits to retry a batch (a dependency such as Redis is away).', (s) => (s.state === 'waiting' ? 1 : 0)],
    ['crm_projection_active', '1 for the version queries read.', (s) => (s.active ? 1 : 0)],
  ];
  return (
    gauges
      .flatMap(([name, help, value]) => [
        `# HELP ${name} ${help}`,
        `# TYPE ${name} gauge`,
        ...statuses.map((s) => `${name}{projection="${s.name}",version="${s.version}"} ${value(s)}`),
      ])
      .join('\n') + '\n'
  );
}
