import { Module } from '@nestjs/common';
import type pg from 'pg';
import type { EventStore } from '#event-store';
import { EVENT_STORE, PG_POOL } from '#providers';
import { WebhookStore } from './webhook.store.js';
import { WebhooksController } from './webhooks.controller.js';

/** Webhook subscriptions and their deliveries (admin). Needs no Redis: the worker sends. */
@Module({
  controllers: [WebhooksController],
  providers: [{ provide: WebhookStore, useFactory: (pool: pg.Pool, store: EventStore) => new WebhookStore(pool, store), inject: [PG_POOL, EVENT_STORE] }],
  exports: [WebhookStore],
})
export class WebhooksModule {}
