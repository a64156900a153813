import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type pg from 'pg';
import type { AppConfig } from '#config';
import type { EventStore } from '#event-store';
import { ProjectionSupervisor } from '#read-model-engine';
import { APP_CONFIG, EVENT_STORE, engineLogs, PG_POOL } from '#providers';
import { PROJECTIONS } from '#projections';

/**
 * Runs every projection: event log -> PostgreSQL read models. Any number of projector processes may
 * run; each projection build is followed by one of them at a time, the others stand by.
 */
@Module({})
export class ProjectorModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private readonly supervisor: ProjectionSupervisor;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(PG_POOL) pool: pg.Pool, @Inject(APP_CONFIG) config: AppConfig) {
    this.supervisor = new ProjectionSupervisor(store, pool, PROJECTIONS, {
      batchSize: config.projectorBatchSize,
      ...engineLogs(this.logger),
    });
  }

  onApplicationBootstrap(): void {
    this.supervisor.start();
    this.logger.log(`running ${PROJECTIONS.map((projection) => `${projection.name} v${projection.version}`).join(', ')}`);
  }

  /** Before the runtime closes the event store and the pool they use. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.supervisor.stop();
  }
}
