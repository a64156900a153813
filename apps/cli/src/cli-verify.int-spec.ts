import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { runDecider } from '#commands';
import { loadConfig } from '#config';
import { customerDecider, customerStream } from '#customers/domain';
import { schemaVersionOf } from '#event-catalog';
import type { EventStore } from '#event-store';
import { createPool } from '#postgres';
import { ProjectionRunner } from '#read-model-engine';
import { openEventStore, prepareDatabase } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import { customerDirectoryProjection } from '#projections/customer-directory';
import { runCliCapturing } from '../../../test/support/cli.js';

describe('the CLI verify, projections and rebuild commands', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: EventStore;

  const cli = (...argv: string[]) => runCliCapturing(database.url, argv);

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY });
    await prepareDatabase(config);
    pool = createPool(database.url);
    store = openEventStore(config, pool);
    for (let n = 0; n < 3; n++) {
      const commandId = randomUUID();
      await runDecider(
        store,
        customerDecider,
        customerStream(`cli-verify-${n}`),
        { type: 'RegisterCustomer', customerId: `cli-verify-${n}`, source: 'import', contact: { name: `Person ${n}` }, registeredAt: new Date().toISOString() },
        { commandId, correlationId: commandId, causationId: commandId, actor: 'service:cli-test' },
        { schemaVersionOf },
      );
    }
    // Build the directory up to the head of the log, as the projector would.
    const runner = new ProjectionRunner(store, pool, customerDirectoryProjection, { standbyRetryMs: 20 });
    runner.start();
    const head = (await store.headPosition())!;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await pool.query<{ position: string }>(`select position from projections.checkpoints where name = 'customer-directory'`);
      if (rows[0]?.position === `${head.major}-${head.minor}` || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await runner.stop();
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('exits 0 and lists no difference when the read model agrees with the log', async () => {
    const { status, stdout } = await cli('verify', 'customer-directory');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ projection: 'customer-directory', differences: [] });
  });

  it('exits 1 and prints the differing rows when it does not', async () => {
    await pool.query(`delete from projection_customer_directory_v1.customers where customer_id = 'cli-verify-1'`);
    const { status, stdout } = await cli('verify', 'customer-directory');
    expect(status).toBe(1);
    const { differences } = JSON.parse(stdout) as { differences: { only: string; row: { customer_id: string } }[] };
    expect(differences.map((d) => [d.only, d.row.customer_id])).toEqual([['rebuilt', 'cli-verify-1']]);
  });

  it('shows each projection version with its state, checkpoint and lag', async () => {
    const { status, stdout } = await cli('projections');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^customer-directory v1 \(serving\)  running  applied 3  0 events \/ 0\.0 s behind  at \d+-\d+$/m);
  });

  it('refuses to rebuild a projection it does not know', async () => {
    const { status, stderr } = await cli('rebuild', 'nothing-here');
    expect(status).toBe(1);
    expect(stderr).toMatch(/no projection nothing-here; known: /);
  });

  it('rebuilds a read model into new tables, printing progress, and switches queries to them once caught up', async () => {
    // The row deleted above is missing from the live tables: a rebuild from the log restores it.
    const { status, stdout } = await cli('rebuild', 'customer-directory');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^customer-directory v1 build 1: requested; it builds from the start of the log/m);
    expect(stdout).toMatch(/^customer-directory v1 build 1: caught up after 3 events; it serves queries now/m);
    const { rows: serving } = await pool.query(`select version, build from projections.active_versions where name = 'customer-directory'`);
    expect(serving).toEqual([{ version: 1, build: 1 }]);
    const { rows: schemas } = await pool.query(`select schema_name from information_schema.schemata where schema_name like 'projection_customer_directory_%'`);
    expect(schemas).toEqual([{ schema_name: 'projection_customer_directory_v1_b1' }]);
    const { rows } = await pool.query(`select customer_id from projection_customer_directory_v1_b1.customers order by customer_id`);
    expect(rows.map((row: { customer_id: string }) => row.customer_id)).toEqual(['cli-verify-0', 'cli-verify-1', 'cli-verify-2']);

    const verified = await cli('verify', 'customer-directory');
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ build: 1, differences: [] });
  });

  it('only requests a rebuild with --detach, and reports a build already under way', async () => {
    const first = await cli('rebuild', 'customer-directory', '--detach');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^customer-directory v1 build 2: requested/m);
    const again = await cli('rebuild', 'customer-directory', '--detach');
    expect(again.stdout).toMatch(/^customer-directory v1 build 2: already under way/m);
    const { stdout } = await cli('projections');
    expect(stdout).toMatch(/^customer-directory v1 build 1 \(serving\)/m);
    expect(stdout).toMatch(/^customer-directory v1 build 2 \(rebuilding\)  running  applied 0/m);
  });

  it('names the projections it knows when given another', async () => {
    const { status, stderr } = await cli('verify', 'nothing-here');
    expect(status).toBe(1);
    expect(stderr).toMatch(/no projection nothing-here; known: customer-timeline, customer-directory/);
  });
});
