import type { INestApplication, Type } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type pg from 'pg';
import { ApiKeyService, ROLES, type Role } from '#auth';
import { loadConfig } from '#config';
import { PG_POOL } from '#providers';
import { prepareDatabase, RuntimeModule } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import request from 'supertest';
import { ApiModule } from '../../apps/api/src/api.module.js';
import { ProjectorModule } from '../../apps/projector/src/projector.module.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { configureHttpApp } from '../../apps/api/src/http/configure-http-app.js';

export interface TestApi {
  readonly app: INestApplication;
  /** Requests to the app (no port is opened). */
  readonly http: ReturnType<typeof request.agent>;
  /** One active key per role, named `test-<role>`. */
  readonly keys: Readonly<Record<Role, string>>;
  readonly database: TestDatabase;
  /** Closes the app and drops its database (unless it was given in the options). */
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** Environment of the app besides DATABASE_URL (e.g. CRM_ADMIN_API_KEY). */
  readonly env?: NodeJS.ProcessEnv;
  /** Test-only controllers, served beside the api's own routes. */
  readonly controllers?: Type[];
  /** Run the projector in the same app, so read models follow the commands. */
  readonly withProjector?: boolean;
  /** Run the worker too (follow-up scheduler and jobs on REDIS_URL). */
  readonly withWorker?: boolean;
  /** Changes to the testing module before it is compiled (e.g. overrideProvider). */
  readonly override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /**
   * The database of an app started before (a restart): used as it is, and kept when this app
   * closes. Its keys get names of their own (`test-<role>-<n>`), the earlier ones being active still.
   */
  readonly database?: TestDatabase;
}

let restarts = 0;

/** The real api (ApiModule + RuntimeModule) on a fresh, migrated database, configured as `launch` does. */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const database = options.database ?? (await createTestDatabase());
  const drop = () => (options.database === undefined ? database.drop() : Promise.resolve());
  const keyName = (role: Role) => (options.database === undefined ? `test-${role}` : `test-${role}-${++restarts}`);
  let app: INestApplication | undefined;
  try {
    const config = loadConfig({ LOG_LEVEL: 'error', CRM_MASTER_KEY: TEST_MASTER_KEY, ...options.env, DATABASE_URL: database.url });
    await prepareDatabase(config);
    let builder = Test.createTestingModule({
      imports: [RuntimeModule.forRoot(config), ApiModule, ...(options.withProjector ? [ProjectorModule] : []), ...(options.withWorker ? [WorkerModule] : [])],
      controllers: options.controllers ?? [],
    });
    if (options.override) builder = options.override(builder);
    app = (await builder.compile()).createNestApplication({ logger: ['fatal'] });
    configureHttpApp(app);
    await app.init();

    const started = app; // for the closures below
    const apiKeys = app.get(ApiKeyService);
    const keys = Object.fromEntries(
      await Promise.all(ROLES.map(async (role) => [role, (await apiKeys.create({ name: keyName(role), role })).key] as const)),
    ) as Record<Role, string>;
    return {
      app: started,
      http: request.agent(started.getHttpServer()),
      keys,
      database,
      close: async () => {
        await started.close();
        await drop();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await drop();
    throw error;
  }
}

/**
 * How many events the log holds (the PostgreSQL event store's table). Not the head position: that
 * only moves once the cluster's transaction horizon passes the newest event, not at its commit.
 */
export async function eventCount(api: TestApi): Promise<number> {
  const { rows } = await api.app.get<symbol, pg.Pool>(PG_POOL).query<{ count: string }>('select count(*) from event_store.events');
  return Number(rows[0].count);
}

interface StatusBody {
  readonly projections: readonly { name: string; active: boolean; state: string; lag: { eventsBehind: number }; failure: unknown }[];
}

/**
 * Waits until every projection that serves queries runs and has applied the whole log; fails naming
 * the ones that stopped or stayed behind.
 */
export async function expectProjectionsCaughtUp(api: TestApi, timeoutMs = 30_000): Promise<StatusBody['projections']> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = (await api.http.get('/projections').auth(api.keys.admin, { type: 'bearer' }).expect(200)) as { body: StatusBody };
    const active = body.projections.filter((p) => p.active);
    const failed = active.filter((p) => p.state === 'failed');
    const behind = active.filter((p) => p.state !== 'running' || p.lag.eventsBehind > 0);
    if (failed.length > 0) throw new Error(`projections stopped: ${JSON.stringify(failed)}`);
    if (behind.length === 0 && active.length > 0) return active;
    if (Date.now() > deadline) throw new Error(`projections not caught up within ${timeoutMs} ms: ${JSON.stringify(behind)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
