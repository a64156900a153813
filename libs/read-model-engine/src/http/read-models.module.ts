import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { borrowedPool } from '#postgres';
import { PG_POOL } from '#providers';
import { ReadConsistency } from '../read-consistency.js';
import { type ProjectionsTables } from '../projections.migrations.js';
import { ProjectionsController } from './projections.controller.js';
import { ReadModels } from './read-models.service.js';
import { READ_MODELS_DB } from './read-models.tokens.js';

/** The read side's shared parts: the read-model database, read-your-writes, projection status. */
@Module({
  controllers: [ProjectionsController],
  providers: [
    {
      provide: READ_MODELS_DB,
      useFactory: (pool: pg.Pool) => new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) }),
      inject: [PG_POOL],
    },
    { provide: ReadConsistency, useFactory: (db: Kysely<ProjectionsTables>) => new ReadConsistency(db), inject: [READ_MODELS_DB] },
    ReadModels,
  ],
  exports: [READ_MODELS_DB, ReadConsistency, ReadModels],
})
export class ReadModelsModule implements OnModuleDestroy {
  constructor(@Inject(READ_MODELS_DB) private readonly db: Kysely<ProjectionsTables>) {}

  async onModuleDestroy(): Promise<void> {
    await this.db.destroy();
  }
}
