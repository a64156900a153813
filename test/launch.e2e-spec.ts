import type { INestApplication, Type } from '@nestjs/common';
import { loadConfig } from '#config';
import { launch, openWrappedSecrets, prepareDatabase } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { ApiModule } from '../apps/api/src/api.module.js';
import { configureHttpApp } from '../apps/api/src/http/configure-http-app.js';
import { ProjectorModule } from '../apps/projector/src/projector.module.js';
import { WorkerModule } from '../apps/worker/src/worker.module.js';

const ALL_APPS = { modules: [ApiModule, ProjectorModule, WorkerModule] as Type[], http: true, configure: configureHttpApp };

/** The process as `node dist/apps/main.js` starts it: migrations first, then api + projector + worker. */
describe('launch', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  afterEach(() => {
    // launch reports a failed start through the exit code; it must not fail the test run.
    process.exitCode = undefined;
  });

  it('migrates, runs api + projector + worker on PORT, and closes', async () => {
    const adminKey = 'launch-admin-key-0123456789abcdefghijklmn';
    const env = { DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY, PORT: '0', LOG_LEVEL: 'error', CRM_ADMIN_API_KEY: adminKey };
    const app = (await launch('crm', () => ALL_APPS, env)) as INestApplication;
    expect(app).toBeDefined();
    try {
      const { port } = app.getHttpServer().address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
      // Configured as the api: its OpenAPI document is served, and CRM_ADMIN_API_KEY is an admin key.
      expect((await fetch(`http://127.0.0.1:${port}/openapi.json`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api-keys`, { headers: { Authorization: `Bearer ${adminKey}` } })).status).toBe(200);
    } finally {
      await app.close();
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      for (const schema of ['event_store', 'auth', 'commands']) {
        const { rows } = await client.query(`select count(*)::int as applied from ${schema}.kysely_migration`);
        expect(rows[0].applied).toBeGreaterThan(0);
      }
    } finally {
      await client.end();
    }
  });

  it('does not start on invalid configuration, listing every problem, and exits 1', async () => {
    const printed: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => printed.push(...args);
    try {
      expect(await launch('crm', () => ALL_APPS, { DATABASE_URL: 'mysql://localhost/crm', PORT: '70000' })).toBeUndefined();
    } finally {
      console.error = consoleError;
    }
    expect(process.exitCode).toBe(1);
    expect(printed).toEqual([
      'crm: invalid configuration (2 problems):\n' +
        '  - DATABASE_URL="mysql://localhost/crm": unsupported scheme "mysql:" (expected postgres: or postgresql:)\n' +
        '  - PORT="70000": out of range (expected an integer from 0 to 65535)',
    ]);
  });

  it('does not start with a master key file holding no key, nor with a master key the database was not set up with', async () => {
    const printed: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => printed.push(...args);
    try {
      expect(await launch('crm', () => ALL_APPS, { DATABASE_URL: database.url, CRM_MASTER_KEY_FILE: '/dev/null' })).toBeUndefined();
    } finally {
      console.error = consoleError;
    }
    expect(process.exitCode).toBe(1);
    expect(printed).toEqual([
      'crm: invalid configuration (1 problem):\n' +
        '  - CRM_MASTER_KEY_FILE="/dev/null": the file holds no master key (expected 32 bytes as base64 or hex (e.g. `openssl rand -base64 32`))',
    ]);

    process.exitCode = undefined;
    // A secret wrapped by the tests' key, then a start with another.
    const config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY });
    await prepareDatabase(config);
    const pool = new pg.Pool({ connectionString: database.url });
    await openWrappedSecrets(config, pool).secret('test/launch').finally(() => pool.end());
    const started = await launch('crm', () => ALL_APPS, { DATABASE_URL: database.url, CRM_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'), LOG_LEVEL: 'fatal' });
    await started?.close();
    expect(started).toBeUndefined();
    expect(process.exitCode).toBe(1);
  });

  it('does not start when PostgreSQL is unreachable, and exits 1', async () => {
    const url = new URL(database.url);
    url.port = '1'; // nothing listens there
    expect(await launch('crm', () => ALL_APPS, { DATABASE_URL: url.toString(), CRM_MASTER_KEY: TEST_MASTER_KEY, LOG_LEVEL: 'fatal' })).toBeUndefined();
    expect(process.exitCode).toBe(1);
  });
});
