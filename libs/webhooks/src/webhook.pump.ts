import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import type pg from 'pg';
import { ChannelNotifier } from '#postgres';
import { addWebhookJobs, type ScheduledWebhookJob, type WebhookJob } from './webhook.jobs.js';
import { webhookDb, type WebhookDb } from './webhook.outbox.js';
import { WEBHOOKS_QUEUED } from './webhooks.migrations.js';

export interface WebhookPumpOptions {
  /** How often every overdue queued delivery gets its job again: the safety net after a crash or a job that gave up. */
  readonly sweepMs?: number;
  /** Deliveries read and jobs added per round trip. */
  readonly pageSize?: number;
  /** Wait before trying again after PostgreSQL or Redis failed a pump. */
  readonly retryMs?: number;
  readonly log?: (message: string) => void;
  readonly logError?: (message: string, error: unknown) => void;
}

/**
 * Which queued deliveries a pump gives jobs: `fresh` ones (never given the job of their current
 * attempt: new lane heads, manual retries), on a NOTIFY; `overdue` ones too (due for longer than a
 * sweep), on each sweep; `all` when Redis (re)connects, as a Redis restarted without persistence
 * has lost every job.
 */
export type PumpScope = 'fresh' | 'overdue' | 'all';

/**
 * Adds the BullMQ jobs of `queued` deliveries, which the dispatcher and the API only mark in
 * PostgreSQL: woken by their NOTIFY, by Redis becoming ready (`redisReady`), and by a periodic
 * sweep. Job ids are deterministic and adding an id BullMQ holds is a no-op, so any number of
 * worker processes may pump at once. Backlogs are paged through.
 */
export class WebhookPump {
  private readonly db: WebhookDb;
  private readonly notifier: ChannelNotifier;
  private readonly sweepMs: number;
  private readonly pageSize: number;
  private readonly retryMs: number;
  private readonly stopping = new AbortController();
  private wake = new AbortController();
  /** Set until a pump of every queued delivery went through: at start, and whenever Redis reconnects. */
  private everything = true;
  private failing = false;
  private running: Promise<void> | null = null;

  constructor(
    pool: pg.Pool,
    databaseUrl: string,
    private readonly queue: Queue<WebhookJob>,
    private readonly isRedisReady: () => boolean,
    private readonly options: WebhookPumpOptions = {},
  ) {
    this.db = webhookDb(pool);
    this.notifier = new ChannelNotifier(databaseUrl, WEBHOOKS_QUEUED);
    this.sweepMs = options.sweepMs ?? 30_000;
    this.pageSize = options.pageSize ?? 500;
    this.retryMs = options.retryMs ?? 1_000;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Redis (re)connected: it may have lost every job. */
  redisReady(): void {
    this.everything = true;
    this.wake.abort();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake.abort();
    await this.running;
    await this.notifier.close();
    await this.db.destroy();
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    let nextSweep = Date.now() + this.sweepMs;
    while (!signal.aborted) {
      const seen = this.notifier.changes;
      this.wake = new AbortController();
      let waitMs = Math.max(nextSweep - Date.now(), 0);
      // While Redis is away nothing can be added; its return wakes the pump.
      if (this.isRedisReady()) {
        const scope: PumpScope = this.everything ? 'all' : Date.now() >= nextSweep ? 'overdue' : 'fresh';
        try {
          await this.notifier.ready();
          await this.pump(scope);
          if (scope === 'all') this.everything = false;
          if (scope !== 'fresh') nextSweep = Date.now() + this.sweepMs;
          if (this.failing) this.options.log?.('webhook pump: adding jobs again');
          this.failing = false;
          waitMs = Math.max(nextSweep - Date.now(), 0);
        } catch (error) {
          if (!this.failing) this.options.logError?.('webhook pump failed; retrying', error);
          this.failing = true;
          waitMs = this.retryMs;
        }
      }
      // stop() aborts the wake signal too (one signal per wait: no listener piles up on `stopping`).
      await this.notifier.waitForChange(seen, waitMs, this.wake.signal);
    }
  }

  /** One pass over the deliveries in scope, page by page; answers how many jobs it added (or found already added). */
  async pump(scope: PumpScope): Promise<number> {
    let added = 0;
    for (let after: string | null = null; ; ) {
      const rows = await this.page(scope, after);
      if (rows.length === 0) return added;
      const jobs: ScheduledWebhookJob[] = rows.map((row) => ({ job: { deliveryId: row.id, attempt: row.attempts + 1 }, delayMs: row.delay_ms }));
      await addWebhookJobs(this.queue, jobs);
      await this.markEnqueued(jobs.map(({ job }) => job));
      added += rows.length;
      after = rows[rows.length - 1].id;
    }
  }

  private page(scope: PumpScope, after: string | null) {
    return this.db
      .selectFrom('webhooks.deliveries')
      .select(['id', 'attempts', sql<number>`greatest(0, ceil(extract(epoch from next_attempt_at - now()) * 1000))::int`.as('delay_ms')])
      .where('status', '=', 'queued')
      .$if(scope !== 'all', (query) =>
        query.where((eb) => {
          const fresh = eb('enqueued_attempt', 'is distinct from', eb('attempts', '+', 1));
          if (scope === 'fresh') return fresh;
          return eb.or([fresh, eb('next_attempt_at', '<', sql<Date>`now() - ${this.sweepMs} * interval '1 millisecond'`)]);
        }),
      )
      .$if(after !== null, (query) => query.where('id', '>', after as string))
      .orderBy('id')
      .limit(this.pageSize)
      .execute();
  }

  /** Notes which attempt's job each delivery has, unless it moved on meanwhile (then its mover added that). */
  private async markEnqueued(jobs: readonly WebhookJob[]): Promise<void> {
    await sql`
      update webhooks.deliveries d
         set enqueued_attempt = added.attempt
        from unnest(${jobs.map((job) => job.deliveryId)}::uuid[], ${jobs.map((job) => job.attempt)}::int[]) as added (id, attempt)
       where d.id = added.id and d.status = 'queued' and d.attempts + 1 = added.attempt`.execute(this.db);
  }
}
