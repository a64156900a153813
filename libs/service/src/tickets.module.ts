import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type pg from 'pg';
import { StreamCommandsModule } from '#commands';
import type { AppConfig } from '#config';
import { APP_CONFIG, PG_POOL } from '#providers';
import { TicketsController } from './tickets.controller.js';
import { TrackingNumbers } from './tracking-numbers.js';

/** The service desk's tickets: commands on their `ticket-<id>` streams, tracking numbers, lookups. */
@Module({
  imports: [CqrsModule, StreamCommandsModule],
  controllers: [TicketsController],
  providers: [
    { provide: TrackingNumbers, useFactory: (pool: pg.Pool, config: AppConfig) => new TrackingNumbers(pool, config.service.trackingPrefix), inject: [PG_POOL, APP_CONFIG] },
  ],
})
export class TicketsModule {}
