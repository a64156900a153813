import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { AppConfig } from '#config';
import type { WrappedSecrets } from '#keys';
import type { EventStore, PostgresDataKeyStore } from '#event-store';
import { createPool } from '#postgres';
import { APP_CONFIG, DATA_KEYS, EVENT_STORE, LOG_SIGNING_KEY, PG_POOL, WRAPPED_SECRETS } from '#providers';
import { DOMAIN_EVENT_SCHEMA, createEventStore, openDataKeyStore, type EventSchema } from './event-store.js';
import { logSigningKey, openWrappedSecrets } from './keys.js';

/**
 * What every app shares, provided once per process: the config, the PostgreSQL pool, the event
 * store and the personal-data keys it encrypts with (erasing one is an operator's command). Both are closed in the last shutdown phase, after the apps stopped using them
 * (apps stop their work in onModuleDestroy / beforeApplicationShutdown).
 */
@Global()
@Module({})
export class RuntimeModule implements OnApplicationShutdown {
  static forRoot(config: AppConfig, schema: EventSchema = DOMAIN_EVENT_SCHEMA): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        // Every projection run here (follow-up scheduler included) holds one connection for its
        // ownership lock while it follows the log; the rest serve batches, the log and queries.
        { provide: PG_POOL, useFactory: () => createPool(config.databaseUrl, { max: 24 }) },
        { provide: DATA_KEYS, useFactory: (pool: pg.Pool) => openDataKeyStore(config, pool), inject: [PG_POOL] },
        { provide: WRAPPED_SECRETS, useFactory: (pool: pg.Pool) => openWrappedSecrets(config, pool), inject: [PG_POOL] },
        { provide: LOG_SIGNING_KEY, useFactory: (secrets: WrappedSecrets) => logSigningKey(config, secrets), inject: [WRAPPED_SECRETS] },
        {
          provide: EVENT_STORE,
          useFactory: (pool: pg.Pool, keys: PostgresDataKeyStore) => createEventStore(config, pool, keys, schema),
          inject: [PG_POOL, DATA_KEYS],
        },
      ],
      exports: [APP_CONFIG, PG_POOL, DATA_KEYS, EVENT_STORE, WRAPPED_SECRETS, LOG_SIGNING_KEY],
    };
  }

  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {}

  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.eventStore.close();
    await this.pool.end();
    new Logger('Runtime').log(`event store and database pool closed${signal ? ` (${signal})` : ''}`);
  }
}
