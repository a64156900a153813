import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '#config';
import type { EventStore } from '#event-store';
import { ProjectionRunner } from '#projections';
import { APP_CONFIG, EVENT_STORE, PG_POOL } from '#runtime';
import type pg from 'pg';
import { PROJECTIONS } from '../../../projections/index.js';

/**
 * Runs every projection: event log -> PostgreSQL read models. Any number of projector processes may
 * run; each projection is followed by one of them at a time, the others stand by.
 */
@Module({})
export class ProjectorModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private readonly runners: ProjectionRunner[];

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(PG_POOL) pool: pg.Pool, @Inject(APP_CONFIG) config: AppConfig) {
    this.runners = PROJECTIONS.map(
      (projection) =>
        new ProjectionRunner(store, pool, projection, {
          batchSize: config.projectorBatchSize,
          log: (message) => this.logger.log(message),
          logError: (message, error) => this.logger.error(message, error instanceof Error ? error.stack : String(error)),
        }),
    );
  }

  onApplicationBootstrap(): void {
    for (const runner of this.runners) runner.start();
    this.logger.log(`running ${this.runners.map((runner) => `${runner.projection.name} v${runner.projection.version}`).join(', ')}`);
  }

  /** Before the runtime closes the event store and the pool they use. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }
}
