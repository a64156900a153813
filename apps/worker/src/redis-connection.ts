import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { redactPassword, type AppConfig } from '#config';
import { APP_CONFIG } from '#runtime';
import { Redis } from 'ioredis';

/**
 * The worker's Redis connection (BullMQ's queues and workers will share it). Redis being down does
 * not stop the process: the outage is logged once, the client keeps reconnecting, and recovery is
 * logged too.
 */
@Injectable()
export class RedisConnection implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly client: Redis;
  private readonly logger = new Logger('Worker');
  private readonly where: string;
  private available: boolean | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.where = redactPassword(config.redisUrl);
    // BullMQ workers need `maxRetriesPerRequest: null`: a blocking command waits out an outage instead of failing.
    this.client = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    this.client.on('ready', () => this.reachable());
    this.client.on('error', (error: Error) => this.unreachable(error));
  }

  onApplicationBootstrap(): void {
    // Not awaited: the process starts whether or not Redis answers; the events above tell which.
    this.client.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client.status === 'ready') await this.client.quit();
    else this.client.disconnect();
  }

  private reachable(): void {
    this.logger.log(`${this.available === false ? 'Redis is back' : 'connected to Redis'} at ${this.where}`);
    this.available = true;
  }

  private unreachable(error: Error): void {
    if (this.available === false) return;
    this.available = false;
    this.logger.warn(`Redis unavailable at ${this.where} (${error.message || error.name}): no jobs run until it answers; reconnecting`);
  }
}
