import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';

/** The HTTP API. Needs the RuntimeModule (config, PostgreSQL pool, event store) in the same process. */
@Module({ controllers: [HealthController] })
export class ApiModule {}
