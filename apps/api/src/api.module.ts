import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type pg from 'pg';
import { AdminKeyProvisioner, ApiKeyGuard, ApiKeysController, ApiKeyService } from '#auth';
import { CommandInterceptor, IdempotencyStore } from '#commands';
import { PG_POOL } from '#providers';
import { AuditModule } from '#audit';
import { CustomersModule } from '#customers';
import { FormsModule } from '#lead-capture';
import { CampaignsModule, ProductsModule, VisitorsModule } from '#marketing';
import { PROJECTIONS } from '#projections';
import { ContractsModule } from '#projections/contracts-expiring';
import { CustomerQueriesModule, DirectoryEmailLookup } from '#projections/customer-directory';
import { ReportsModule } from '#projections/marketing-attribution';
import { SalesQueriesModule } from '#projections/sales-performance';
import { ReadModelsModule } from '#read-model-engine';
import { RepsModule } from '#sales';
import { TicketsModule } from '#service';
import { WebhooksModule } from '#webhooks';
import { createValidationPipe } from '#http';
import { MetricsModule } from './metrics/metrics.controller.js';
import { HealthController } from './health.controller.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';

/**
 * The HTTP API. Needs the RuntimeModule (config, PostgreSQL pool, event store) in the same process,
 * and `configureHttpApp` applied to the application (body limits, OpenAPI).
 * Every route is authenticated by API key unless marked `@Public()`, validated, and answers errors
 * as problem+json; `@Command()` routes honour Idempotency-Key.
 */
@Module({
  imports: [
    CustomersModule,
    CustomerQueriesModule,
    ContractsModule,
    RepsModule,
    SalesQueriesModule,
    TicketsModule,
    ProductsModule,
    CampaignsModule,
    VisitorsModule,
    FormsModule.register(DirectoryEmailLookup),
    ReadModelsModule,
    AuditModule.register(PROJECTIONS),
    ReportsModule,
    WebhooksModule,
    MetricsModule,
  ],
  controllers: [HealthController, ApiKeysController],
  providers: [
    { provide: ApiKeyService, useFactory: (pool: pg.Pool) => new ApiKeyService(pool), inject: [PG_POOL] },
    { provide: IdempotencyStore, useFactory: (pool: pg.Pool) => new IdempotencyStore(pool), inject: [PG_POOL] },
    AdminKeyProvisioner,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: CommandInterceptor },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class ApiModule {}
