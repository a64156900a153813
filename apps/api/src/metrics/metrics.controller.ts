import { Controller, Get, Header, Inject, Module } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { type ProjectionsTables, type ProjectionStatus, projectionStatuses, READ_MODELS_DB, ReadModelsModule } from '#read-model-engine';
import { type SubscriptionBacklog, WebhooksModule, WebhookStore } from '#webhooks';
import { Roles } from '#auth';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#providers';

/** A gauge: its name, help text, and one sample per subject (labels, value). */
type Gauge<T> = readonly [name: string, help: string, labels: (subject: T) => string, value: (subject: T) => number];

/** Prometheus gauges for operators: projection lag and failures, webhook backlogs and dead letters. */
@ApiTags('projections')
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(READ_MODELS_DB) private readonly db: Kysely<ProjectionsTables>,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly webhooks: WebhookStore,
  ) {}

  @Get()
  @Roles('admin')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics', description: 'Projection lag, events applied and failures; webhook deliveries not yet delivered and dead letters; in the Prometheus text format.' })
  async metrics(): Promise<string> {
    const [statuses, backlogs] = await Promise.all([projectionStatuses(this.db, this.store), this.webhooks.backlog()]);
    return [...PROJECTION_GAUGES.flatMap((gauge) => render(gauge, statuses)), ...WEBHOOK_GAUGES.flatMap((gauge) => render(gauge, backlogs))].join('\n') + '\n';
  }
}

const projection = (s: ProjectionStatus) => `projection="${s.name}",version="${s.version}"`;
const PROJECTION_GAUGES: readonly Gauge<ProjectionStatus>[] = [
  ['crm_projection_events_behind', 'Events in the log not yet applied (counted up to 10000).', projection, (s) => s.lag.eventsBehind],
  ['crm_projection_seconds_behind', 'Age in seconds of the oldest event not yet applied.', projection, (s) => s.lag.secondsBehind],
  ['crm_projection_events_applied', 'Events applied since the projection version was built.', projection, (s) => s.eventsApplied],
  ['crm_projection_failed', '1 when the projection stopped at an event it cannot apply.', projection, (s) => (s.state === 'failed' ? 1 : 0)],
  ['crm_projection_waiting', '1 while the projection waits to retry a batch (a dependency such as Redis is away).', projection, (s) => (s.state === 'waiting' ? 1 : 0)],
  ['crm_projection_active', '1 for the version queries read.', projection, (s) => (s.active ? 1 : 0)],
];

const subscription = (b: SubscriptionBacklog) => `subscription="${b.id}"`;
const WEBHOOK_GAUGES: readonly Gauge<SubscriptionBacklog>[] = [
  ['crm_webhook_deliveries_unfinished', 'Deliveries not yet delivered, dead or cancelled (pending behind their stream, or queued).', subscription, (b) => b.pending + b.queued],
  ['crm_webhook_oldest_unfinished_seconds', 'Age in seconds of the oldest unfinished delivery; 0 when none.', subscription, (b) => Math.round(b.oldestUnfinishedSeconds)],
  ['crm_webhook_deliveries_dead', 'Dead-lettered deliveries (every attempt failed), until retried.', subscription, (b) => b.dead],
  ['crm_webhook_subscription_disabled', '1 once the subscription is disabled (by an admin, or by a 410 from its receiver).', subscription, (b) => (b.status === 'disabled' ? 1 : 0)],
];

function render<T>([name, help, labels, value]: Gauge<T>, subjects: readonly T[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...subjects.map((subject) => `${name}{${labels(subject)}} ${value(subject)}`)];
}

@Module({ imports: [ReadModelsModule, WebhooksModule], controllers: [MetricsController] })
export class MetricsModule {}
