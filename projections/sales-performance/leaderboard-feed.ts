import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '#config';
import { ChannelNotifier } from '#postgres';
import { PROJECTIONS_ADVANCED } from '#read-model-engine';
import { APP_CONFIG } from '#providers';
import { SALES_PERFORMANCE } from './sales-performance.projection.js';

/** Quiet this long, a stream says it is still there (proxies drop idle connections). */
const KEEPALIVE_MS = 15_000;
/** A burst of batches recomputes the standings at most this often per client. */
const COALESCE_MS = 250;

export type FeedItem<T> = { readonly kind: 'update'; readonly value: T } | { readonly kind: 'keepalive' };

/**
 * Wakes live views of the sales-performance read model: one LISTEN connection per api process
 * (on the channel the projector signals after each batch), shared by every open stream.
 */
@Injectable()
export class LeaderboardFeed implements OnModuleDestroy {
  private readonly notifier: ChannelNotifier;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.notifier = new ChannelNotifier(config.databaseUrl, PROJECTIONS_ADVANCED, (projection) => projection === SALES_PERFORMANCE);
  }

  /**
   * `first`, then `read()` again after each batch of the projection, yielding only what differs
   * from the last value sent (and a keepalive when quiet), until `signal` aborts.
   */
  async *follow<T>(read: () => Promise<T>, first: T, signal: AbortSignal): AsyncGenerator<FeedItem<T>> {
    let last = JSON.stringify(first);
    yield { kind: 'update', value: first };
    while (!signal.aborted) {
      const seen = this.notifier.changes;
      await this.notifier.ready();
      await this.notifier.waitForChange(seen, KEEPALIVE_MS, signal);
      if (signal.aborted) return;
      if (this.notifier.changes === seen) {
        yield { kind: 'keepalive' };
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
      const value = await read();
      const json = JSON.stringify(value);
      if (json === last) continue;
      last = json;
      yield { kind: 'update', value };
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.notifier.close();
  }
}
