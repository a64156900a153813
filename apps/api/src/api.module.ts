import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ApiKeyGuard, ApiKeyService } from '#auth';
import { CommandInterceptor, IdempotencyStore } from '#commands';
import { PG_POOL } from '#runtime';
import type pg from 'pg';
import { AdminKeyProvisioner } from './api-keys/admin-key.provisioner.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { AuditModule } from './audit/audit.module.js';
import { CampaignsModule } from './campaigns/campaigns.module.js';
import { ContractsModule } from './contracts/contracts-query.controller.js';
import { CustomersModule } from './customers/customers.module.js';
import { FormsModule } from './forms/forms.module.js';
import { ProductsModule } from './products/products.module.js';
import { ReadModelsModule } from './read-models/read-models.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { RepsModule } from './reps/reps.module.js';
import { VisitorsModule } from './visitors/visitors.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { MetricsModule } from './metrics/metrics.controller.js';
import { HealthController } from './health.controller.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';
import { createValidationPipe } from './http/validation.js';

/**
 * The HTTP API. Needs the RuntimeModule (config, PostgreSQL pool, event store) in the same process,
 * and `configureHttpApp` applied to the application (body limits, OpenAPI).
 * Every route is authenticated by API key unless marked `@Public()`, validated, and answers errors
 * as problem+json; `@Command()` routes honour Idempotency-Key.
 */
@Module({
  imports: [CustomersModule, ContractsModule, RepsModule, ProductsModule, CampaignsModule, VisitorsModule, FormsModule, ReadModelsModule, AuditModule, ReportsModule, WebhooksModule, MetricsModule],
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
