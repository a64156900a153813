import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { runDecider } from '#commands';
import { loadConfig } from '#config';
import { customerDecider, customerStream, schemaVersionOf } from '#domain';
import type { EventStore } from '#event-store';
import { createPool } from '#postgres';
import { ProjectionRunner } from '#projections';
import { openEventStore, prepareDatabase } from '#runtime';
import { createTestDatabase, type TestDatabase } from '#testing';
import { customerDirectoryProjection } from '../../../projections/customer-directory/directory.projection.js';
import { runCliCapturing } from '../../../test/support/cli.js';

describe('the CLI verify command', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: EventStore;

  const cli = (...argv: string[]) => runCliCapturing(database.url, argv);

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: database.url });
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

  it('names the projections it knows when given another', async () => {
    const { status, stderr } = await cli('verify', 'nothing-here');
    expect(status).toBe(1);
    expect(stderr).toMatch(/no projection nothing-here; known: customer-timeline, customer-directory/);
  });
});
