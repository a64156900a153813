import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import pg from 'pg';
import { Public } from '#auth';
import { serializePosition, type EventStore } from '#event-store';
import { APP_CONFIG, EVENT_STORE, PG_POOL } from '#providers';
import type { AppConfig } from '#config';
import { buildLabel, skipCommand } from '#read-model-engine';

interface FailedCheckpoint {
  name: string;
  version: number;
  build: number;
  failed_event_id: string | null;
  failed_event_type: string | null;
  failed_position: string | null;
  failed_stream_id: string | null;
  error: string | null;
  serving_version: number | null;
  serving_build: number | null;
}

/** A check that takes longer than this counts as down: a health probe must answer promptly. */
const CHECK_TIMEOUT_MS = 3_000;

export type Check = { readonly status: 'up'; readonly [detail: string]: unknown } | { readonly status: 'down'; readonly error: string };

export interface HealthReport {
  /** `degraded`: the api serves, but a projection stopped at an event it cannot apply (its read model goes stale). */
  readonly status: 'ok' | 'degraded' | 'error';
  readonly checks: { readonly postgres: Check; readonly eventStore: Check; readonly projections: Check };
}

/**
 * GET /health, without auth: 200 when every dependency answers (`degraded` when a projection has
 * failed: the api still serves), 503 naming the dependencies that do not.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether PostgreSQL and the event store answer and the projections run (200, or 503 with the same report)' })
  // The report is the body either way (not a problem+json): probes and operators read the checks.
  async check(@Res({ passthrough: true }) response: ServerResponse): Promise<HealthReport> {
    const [postgres, eventStore, projections] = await Promise.all([
      this.probe('postgres', async () => {
        await this.pool.query('select 1');
        return {};
      }),
      this.probe('eventStore', async () => {
        const head = await this.eventStore.headPosition();
        return { kind: this.config.eventStore.kind, head: head && serializePosition(head) };
      }),
      this.probe('projections', async () => {
        const failed = await this.failedProjections();
        if (failed.length > 0) throw new Error(failed.join('; '));
        return {};
      }),
    ]);
    const serving = postgres.status === 'up' && eventStore.status === 'up';
    const report: HealthReport = {
      status: !serving ? 'error' : projections.status === 'up' ? 'ok' : 'degraded',
      checks: { postgres, eventStore, projections },
    };
    if (report.status === 'error') response.statusCode = 503;
    return report;
  }

  /** Each failed build: the event it stopped at (id, type, position, stream), the error, and the way out. */
  private async failedProjections(): Promise<string[]> {
    const { rows } = await this.pool.query<FailedCheckpoint>(
      `select c.name, c.version, c.build, c.failed_event_id, c.failed_event_type, c.failed_position, c.failed_stream_id, c.error,
              a.version as serving_version, a.build as serving_build
       from projections.checkpoints c left join projections.active_versions a on a.name = c.name
       where c.status = 'failed' order by c.name, c.version, c.build`,
    );
    return rows.map((row) => {
      const event = [row.failed_event_type ?? 'unknown type', `position ${row.failed_position ?? 'unknown'}`, ...(row.failed_stream_id ? [`stream ${row.failed_stream_id}`] : [])];
      const serving = row.serving_version === null || row.serving_build === null ? null : { version: row.serving_version, build: row.serving_build };
      const wayOut =
        row.failed_position === null
          ? ''
          : `; a restart applies it again once the code is fixed, or pass it without applying it: ${skipCommand(row.name, row.failed_position, row, serving)}`;
      return `${buildLabel(row.name, row)} stopped at event ${row.failed_event_id} (${event.join(', ')}): ${row.error}${wayOut}`;
    });
  }

  private async probe(name: string, check: () => Promise<Record<string, unknown>>): Promise<Check> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    try {
      return { status: 'up', ...(await Promise.race([check(), timeout])) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`health check ${name} failed: ${message}`);
      return { status: 'down', error: message };
    } finally {
      clearTimeout(timer);
    }
  }
}
