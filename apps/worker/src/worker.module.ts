import { Module } from '@nestjs/common';
import type { AppConfig } from '#config';
import { followUpTiming } from '#follow-ups';
import { APP_CONFIG } from '#providers';
import { FOLLOW_UP_TIMING, FollowUps } from '#follow-ups';
import { RedisConnection } from '#providers';
import { Webhooks } from '#webhooks';

/** BullMQ on Redis: contract follow-ups (their scheduler and their jobs), outbound webhooks (their dispatcher, pump and attempts). */
@Module({
  providers: [
    RedisConnection,
    { provide: FOLLOW_UP_TIMING, useFactory: (config: AppConfig) => followUpTiming(config.followUps), inject: [APP_CONFIG] },
    FollowUps,
    Webhooks,
  ],
  exports: [RedisConnection],
})
export class WorkerModule {}
