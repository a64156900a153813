import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '#auth';
import { serializePosition, type EventStore } from '#event-store';
import { APP_CONFIG, EVENT_STORE, PG_POOL } from '#runtime';
import type { AppConfig } from '#config';
import type { ServerResponse } from 'node:http';
import pg from 'pg';

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
        const { rows } = await this.pool.query<{ name: string; version: number; failed_event_id: string; error: string }>(
          `select name, version, failed_event_id, error from projections.checkpoints where status = 'failed' order by name`,
        );
        if (rows.length > 0) {
          throw new Error(rows.map((row) => `${row.name} v${row.version} stopped at event ${row.failed_event_id}: ${row.error}`).join('; '));
        }
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
