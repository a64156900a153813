import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type pg from 'pg';
import type { AppConfig } from '#config';
import { LogSealer, type EventStore } from '#event-store';
import { ProjectionSupervisor } from '#read-model-engine';
import { APP_CONFIG, EVENT_STORE, engineLogs, LOG_SIGNING_KEY, PG_POOL } from '#providers';
import { PROJECTIONS } from '#projections';

/**
 * Runs every projection: event log -> PostgreSQL read models, and the log sealer (the global chain
 * and its signed checkpoints). Any number of projector processes may run; each projection build and
 * the sealer are followed by one of them at a time, the others stand by.
 */
@Module({})
export class ProjectorModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private readonly supervisor: ProjectionSupervisor;
  private readonly sealer: LogSealer;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOG_SIGNING_KEY) signingKey: Buffer,
  ) {
    this.supervisor = new ProjectionSupervisor(store, pool, PROJECTIONS, {
      batchSize: config.projectorBatchSize,
      ...engineLogs(this.logger),
    });
    this.sealer = new LogSealer(store, pool, signingKey, engineLogs(this.logger));
  }

  onApplicationBootstrap(): void {
    this.supervisor.start();
    this.sealer.start();
    this.logger.log(`running ${PROJECTIONS.map((projection) => `${projection.name} v${projection.version}`).join(', ')}, and the log sealer`);
  }

  /** Before the runtime closes the event store and the pool they use. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.supervisor.stop(), this.sealer.stop()]);
  }
}
