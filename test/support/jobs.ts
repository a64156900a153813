import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { FOLLOW_UP_TIMING, type FollowUpTiming } from '#follow-ups';
import { EVENT_STORE, PG_POOL } from '#providers';
import type { FollowUpConfig } from '#config';
import { repStream } from '#sales/domain';
import { parsePosition, type EventStore, type Position, type RecordedEvent } from '#event-store';
import { borrowedPool } from '#postgres';
import { ProjectionRunner, ReadConsistency, type Projection, type ProjectionsTables } from '#read-model-engine';
import { eventsOf, QueuesView, RedisRelay, until } from '#testing';
import { startTestApi, type TestApi, type TestApiOptions } from './api.js';

/**
 * Support for the tests of jobs on the real Redis: the app that runs them. What needs no app (the
 * Redis relay, a look at the queues, polling, reading the log) is in #testing.
 */

/** A second of test time is a "day" of lead times and margins. */
export const TEST_DAY_MS = 1_000;

/**
 * The api, projector and worker in one test app on a fresh database, its Redis behind a
 * {@link RedisRelay}, and time made test-sized: a lead or margin "day" lasts a second, and the
 * schedulers' clock can be moved next to a day of the test's choosing, so jobs fall due within seconds.
 */
export class JobsApp {
  readonly relay = new RedisRelay();
  private readonly queues = new QueuesView();
  private clockOffset = 0;
  readonly timing: FollowUpTiming;
  private started?: { api: TestApi; db: Kysely<ProjectionsTables> };

  /**
   * `options`: more environment for the app (the relay's REDIS_URL wins), and a logger that gets
   * every message of every level the app's Nest loggers write, from compiling its modules on.
   */
  constructor(
    config: FollowUpConfig,
    private readonly options: { readonly env?: TestApiOptions['env']; readonly logger?: LoggerService } = {},
  ) {
    this.timing = { ...config, dayMs: TEST_DAY_MS, now: () => Date.now() + this.clockOffset };
  }

  async start(): Promise<this> {
    await this.relay.open();
    const api = await startTestApi({
      withProjector: true,
      withWorker: true,
      env: { ...this.options.env, REDIS_URL: this.relay.url },
      override: (builder) => {
        const timed = builder.overrideProvider(FOLLOW_UP_TIMING).useValue(this.timing);
        // The testing module installs it as the Nest logger; the app's `logger: ['fatal']` then only
        // sets levels, which a LoggerService without setLogLevels ignores: it keeps getting everything.
        return this.options.logger ? timed.setLogger(this.options.logger) : timed;
      },
    });
    this.started = { api, db: new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(api.app.get<pg.Pool>(PG_POOL)) }) }) };
    return this;
  }

  get api(): TestApi {
    return this.need().api;
  }

  get db(): Kysely<ProjectionsTables> {
    return this.need().db;
  }

  get store(): EventStore {
    return this.api.app.get<EventStore>(EVENT_STORE);
  }

  get pool(): pg.Pool {
    return this.api.app.get<pg.Pool>(PG_POOL);
  }

  /** A look at one of the app's queues, straight to Redis. */
  queue<T>(name: string): Queue<T> {
    return this.queues.queue<T>(name, this.api.database.url);
  }

  /** Moves the schedulers' clock to `secondsBefore` seconds before the start (UTC) of `day`. */
  clockAt(day: string, secondsBefore: number): void {
    this.clockOffset = Date.parse(`${day}T00:00:00.000Z`) - secondsBefore * 1_000 - Date.now();
  }

  /** Resolves once the log subscribers `names` have applied `position`. */
  caughtUp(names: readonly string[], position: string, timeoutMs = 10_000): Promise<void> {
    return new ReadConsistency(this.db, { timeoutMs }).waitFor(names, parsePosition(position));
  }

  /** The state of a log subscriber's checkpoint (`running`, `waiting`...). */
  async status(name: string): Promise<{ status: string; error: string | null }> {
    return this.db.selectFrom('projections.checkpoints').select(['status', 'error']).where('name', '=', name).executeTakeFirstOrThrow();
  }

  /**
   * Builds `scheduler` anew as version 2 from the start of the log, up to `head`, until it serves;
   * then gives whatever it re-added that is due in the past the time to run, and stops it.
   */
  async replay(scheduler: Projection, head: Position): Promise<void> {
    const runner = new ProjectionRunner(this.store, this.pool, { ...scheduler, version: 2 });
    runner.start();
    try {
      await new ReadConsistency(this.db, { timeoutMs: 20_000 }).waitFor([scheduler.name], head);
      await until('version 2 serving', async () => {
        const row = await this.db.selectFrom('projections.active_versions').select('version').where('name', '=', scheduler.name).executeTakeFirst();
        return row?.version === 2;
      });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      await runner.stop();
    }
  }

  service(path: string) {
    return this.api.http.post(path).set('Authorization', `Bearer ${this.api.keys.service}`);
  }

  async onboard(team: string): Promise<string> {
    const repId = `rep-${randomUUID()}`;
    await this.service('/reps').send({ repId, name: 'Grace Hopper', email: 'grace@example.com', team, region: 'EMEA', startDate: '2026-01-05' }).expect(201);
    return repId;
  }

  async register(ownerRepId?: string): Promise<string> {
    const customerId = `cust-${randomUUID()}`;
    await this.service('/customers')
      .send({ customerId, source: 'api', contact: { name: 'Ada Lovelace' }, ...(ownerRepId === undefined ? {} : { ownerRepId }) })
      .expect(201);
    return customerId;
  }

  /** The tasks of `origin` the rep was given. */
  async tasksOf(repId: string, origin: string): Promise<RecordedEvent[]> {
    return (await eventsOf(this.store, repStream(repId), 'TaskAssigned')).filter((event) => event.data.origin === origin);
  }

  async close(): Promise<void> {
    // The worker closes cleanly only while it reaches Redis (a test may have failed during an outage).
    if (!this.relay.isOpen) await this.relay.open();
    await this.queues.close();
    await this.started?.db.destroy();
    await this.started?.api.close();
    await this.relay.close();
  }

  private need(): { api: TestApi; db: Kysely<ProjectionsTables> } {
    if (this.started === undefined) throw new Error('JobsApp.start() first');
    return this.started;
  }
}
