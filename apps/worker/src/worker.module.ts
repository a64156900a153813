import { Module } from '@nestjs/common';
import { RedisConnection } from './redis-connection.js';

/** BullMQ processors (follow-ups, webhooks, imports, exports) on Redis. None is registered yet. */
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class WorkerModule {}
