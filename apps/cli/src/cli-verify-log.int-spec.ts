import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { runDecider } from '#commands';
import { loadConfig, type AppConfig } from '#config';
import { customerDecider, customerStream } from '#customers/domain';
import { schemaVersionOf } from '#event-catalog';
import { LogSealer, type EventStore } from '#event-store';
import { createPool } from '#postgres';
import { logSigningKey, openEventStore, openWrappedSecrets, prepareDatabase } from '#runtime';
import { TEST_MASTER_KEY, createTestDatabase, tamperWithLog, until, type TestDatabase } from '#testing';
import { runCliCapturing } from '../../../test/support/cli.js';

describe('the CLI audit verify-log command', () => {
  let database: TestDatabase;
  let config: AppConfig;
  let pool: pg.Pool;
  let store: EventStore;

  const cli = (...argv: string[]) => runCliCapturing(database.url, argv);

  beforeAll(async () => {
    database = await createTestDatabase();
    config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY });
    await prepareDatabase(config);
    pool = createPool(database.url);
    store = openEventStore(config, pool);
    for (let n = 0; n < 3; n++) {
      const commandId = randomUUID();
      await runDecider(
        store,
        customerDecider,
        customerStream(`cli-log-${n}`),
        { type: 'RegisterCustomer', customerId: `cli-log-${n}`, source: 'import', contact: { name: `Person ${n}` }, registeredAt: new Date().toISOString() },
        { commandId, correlationId: commandId, causationId: commandId, actor: 'service:cli-test' },
        { schemaVersionOf },
      );
    }
    // Sealed with the deployment's signing key (a wrapped secret, LOG_SIGNING_KEY being unset), as the projector would.
    const sealer = new LogSealer(store, pool, await logSigningKey(config, openWrappedSecrets(config, pool)));
    await until('every event sealed', async () => (await sealer.sealNow()) === 3, 10_000);
    await sealer.stop();
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('exits 0 and prints a clean report when nothing was touched; no progress bar off a terminal', async () => {
    const { status, stdout, stderr } = await cli('audit', 'verify-log');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ clean: true, events: 3, streams: 3, sealedEvents: 3, checkpoints: { total: 1, verified: 1 } });
    expect(stderr).toBe('');
  });

  it('shows its progress on stderr when asked', async () => {
    const { status, stderr } = await cli('audit', 'verify-log', '--progress');
    expect(status).toBe(0);
    expect(stderr).toMatch(/verify-log \[.*\] 3\/3 events/);
  });

  it('checks the checkpoints with LOG_SIGNING_KEY: another key finds them unverifiable, exit 1', async () => {
    const { status, stdout } = await runCliCapturing(database.url, ['audit', 'verify-log'], { LOG_SIGNING_KEY: 'ab'.repeat(32) });
    expect(status).toBe(1);
    expect(JSON.parse(stdout).checkpointFindings).toEqual([expect.objectContaining({ events: 3, problem: 'unknown-key' })]);
  });

  it('exits 1 and names the altered event when the log was tampered with', async () => {
    await tamperWithLog(pool, (client) => client.query(`update event_store.events set type = 'CustomerErased' where stream_id = 'customer-cli-log-2'`));
    const { status, stdout } = await cli('audit', 'verify-log');
    expect(status).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      clean: false,
      streamFindings: [{ streamId: 'customer-cli-log-2', revision: 0, problem: 'altered' }],
    });
  });

  it('refuses a bad command line with the usage', async () => {
    const { status, stderr } = await cli('audit', 'verify-log', '--everything');
    expect(status).toBe(2);
    expect(stderr).toMatch(/unknown option --everything for audit verify-log[\s\S]*audit verify-log \[--progress\]/);
  });
});
