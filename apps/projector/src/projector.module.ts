import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type pg from 'pg';
import { DEVELOPMENT_LOG_SIGNING_KEY, type AppConfig } from '#config';
import { LogSealer, type EventStore } from '#event-store';
import { ProjectionSupervisor } from '#read-model-engine';
import { APP_CONFIG, EVENT_STORE, engineLogs, PG_POOL } from '#providers';
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
  private readonly developmentKey: boolean;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(PG_POOL) pool: pg.Pool, @Inject(APP_CONFIG) config: AppConfig) {
    this.supervisor = new ProjectionSupervisor(store, pool, PROJECTIONS, {
      batchSize: config.projectorBatchSize,
      ...engineLogs(this.logger),
    });
    this.sealer = new LogSealer(store, pool, config.logSigningKey, engineLogs(this.logger));
    this.developmentKey = config.logSigningKey.equals(DEVELOPMENT_LOG_SIGNING_KEY);
  }

  onApplicationBootstrap(): void {
    this.supervisor.start();
    this.sealer.start();
    this.logger.log(`running ${PROJECTIONS.map((projection) => `${projection.name} v${projection.version}`).join(', ')}, and the log sealer`);
    if (this.developmentKey) this.logger.warn('LOG_SIGNING_KEY is not set: log checkpoints are signed with the public development key');
  }

  /** Before the runtime closes the event store and the pool they use. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.supervisor.stop(), this.sealer.stop()]);
  }
}
