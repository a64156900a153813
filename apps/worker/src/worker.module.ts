import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { StreamCommandsModule } from '#commands';
import type { AppConfig } from '#config';
import { FOLLOW_UP_TIMING, FollowUps, followUpTiming } from '#follow-ups';
import { APP_CONFIG, RedisConnection } from '#providers';
import { RepCommandsModule } from '#sales';
import { Webhooks } from '#webhooks';

/**
 * BullMQ on Redis: contract follow-ups and repurchase reminders (their schedulers and jobs, whose
 * commands go through the CommandBus), outbound webhooks (their dispatcher, pump and attempts).
 */
@Module({
  imports: [CqrsModule, StreamCommandsModule, RepCommandsModule],
  providers: [
    RedisConnection,
    { provide: FOLLOW_UP_TIMING, useFactory: (config: AppConfig) => followUpTiming(config.followUps), inject: [APP_CONFIG] },
    FollowUps,
    Webhooks,
  ],
  exports: [RedisConnection],
})
export class WorkerModule {}
