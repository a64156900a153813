import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { runDecider } from '#commands';
import { loadConfig } from '#config';
import { customerDecider, customerStream } from '#customers/domain';
import { schemaVersionOf } from '#event-catalog';
import { eventIdFor, serializePosition, type EventStore } from '#event-store';
import { createPool } from '#postgres';
import { ProjectionRunner } from '#read-model-engine';
import { openEventStore, prepareDatabase } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import { customerTimelineProjection } from '#projections/customer-timeline';
import { runCliCapturing } from '../../../test/support/cli.js';

describe('the CLI projections skip command', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: EventStore;
  let runner: ProjectionRunner | undefined;
  /** The position of the event the timeline cannot apply. */
  let poisonAt: string;

  const cli = (...argv: string[]) => runCliCapturing(database.url, argv);
  const checkpoint = async () =>
    (await pool.query<{ status: string; position: string; failed_position: string | null }>(`select status, position, failed_position from projections.checkpoints where name = 'customer-timeline'`))
      .rows[0];
  const until = async (what: string, condition: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const register = async (customerId: string) => {
    const commandId = randomUUID();
    await runDecider(
      store,
      customerDecider,
      customerStream(customerId),
      { type: 'RegisterCustomer', customerId, source: 'import', contact: { name: `Person ${customerId}` }, registeredAt: new Date().toISOString() },
      { commandId, correlationId: commandId, causationId: commandId, actor: 'service:cli-test' },
      { schemaVersionOf },
    );
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY });
    await prepareDatabase(config);
    pool = createPool(database.url);
    store = openEventStore(config, pool);
    await register('cli-skip-0');
    // A registration written around the commands, without the contact the timeline summarises.
    const commandId = randomUUID();
    const poison = await store.append(
      customerStream('cli-skip-broken'),
      [{ id: eventIdFor(commandId), type: 'CustomerRegistered', schemaVersion: 1, data: { source: 'import' }, metadata: { actor: 'service:old-importer', commandId, correlationId: commandId, causationId: commandId } }],
      'no_stream',
    );
    poisonAt = serializePosition(poison.position);
    await register('cli-skip-1');

    // The projector, as it runs: it stops at the poison event and waits there.
    runner = new ProjectionRunner(store, pool, customerTimelineProjection, { standbyRetryMs: 20, skipPollMs: 20, maxSkipPollMs: 100 });
    runner.start();
    await until('the timeline fails', async () => (await checkpoint())?.status === 'failed');
  });
  afterAll(async () => {
    await runner?.stop();
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('shows the event a projection stopped at and the command that skips it', async () => {
    const { status, stdout } = await cli('projections');
    expect(status).toBe(0);
    expect(stdout).toMatch(
      new RegExp(`^customer-timeline v1 \\(serving\\)  failed  applied 1 .* FAILED at event \\S+ \\(CustomerRegistered, stream customer-cli-skip-broken, position ${poisonAt}\\) \\S+Z: .+$`, 'm'),
    );
    expect(stdout).toContain(`    to pass it without applying it: npm run cli -- projections skip customer-timeline ${poisonAt} --reason "<why passing it is safe>"`);
    expect(stdout).not.toContain('skipped');
  });

  it('refuses a skip without a reason or with a malformed position as bad usage (exit 2)', async () => {
    const noReason = await cli('projections', 'skip', 'customer-timeline', poisonAt);
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toMatch(/^error: projections skip needs --reason "<why passing the event is safe>": it is recorded with the skip\n\nUsage:/);
    expect((await cli('projections', 'skip', 'customer-timeline', poisonAt, '--reason', ' ')).status).toBe(2);
    const position = await cli('projections', 'skip', 'customer-timeline', 'the-bad-one', '--reason', 'x');
    expect(position.status).toBe(2);
    expect(position.stderr).toMatch(/^error: "the-bad-one" is not a log position/);
  });

  it('refuses (exit 1) any event but the one a projection is failed at', async () => {
    const [major] = poisonAt.split('-');
    const elsewhere = `${BigInt(major) + 1n}-0`;
    const other = await cli('projections', 'skip', 'customer-timeline', elsewhere, '--reason', 'x');
    expect(other).toMatchObject({ status: 1, stdout: '' });
    expect(other.stderr).toMatch(
      new RegExp(`^error: customer-timeline v1 stopped at ${poisonAt} \\(event \\S+, CustomerRegistered\\), not at ${elsewhere}: only the event a projection stopped at can be skipped\\n$`),
    );
    expect(await cli('projections', 'skip', 'customer-timeline', poisonAt, '--build', '4', '--reason', 'x')).toMatchObject({
      status: 1,
      stderr: 'error: customer-timeline v1 build 4 does not exist (see npm run cli -- projections)\n',
    });
    expect(await cli('projections', 'skip', 'customer-directory', poisonAt, '--reason', 'x')).toMatchObject({
      status: 1,
      stderr: 'error: no build of customer-directory serves queries: name one with --version and --build\n',
    });
    const unknown = await cli('projections', 'skip', 'nothing-here', poisonAt, '--reason', 'x');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^error: no projection nothing-here; known: customer-timeline, /);
    expect((await pool.query('select * from projections.skipped_events')).rows).toEqual([]);
  });

  it('records the skip with its reason; the running projector passes the event and carries on, and status and verify show it', async () => {
    const skipped = await cli('projections', 'skip', 'customer-timeline', poisonAt, '--reason', 'imported twice by the old importer');
    expect(skipped).toMatchObject({ status: 0, stderr: '' });
    expect(skipped.stdout).toMatch(
      new RegExp(
        `^customer-timeline v1: recorded the skip of event \\S+ \\(CustomerRegistered, stream customer-cli-skip-broken\\) at ${poisonAt}, \\S+Z: imported twice by the old importer\\n` +
          `it failed with: .+\\nThe projector passes it without applying it and resumes within seconds`,
      ),
    );
    const { rows } = await pool.query(`select name, version, build, position, event_type, stream_id, reason, error from projections.skipped_events`);
    expect(rows).toEqual([
      {
        name: 'customer-timeline',
        version: 1,
        build: 0,
        position: poisonAt,
        event_type: 'CustomerRegistered',
        stream_id: 'customer-cli-skip-broken',
        reason: 'imported twice by the old importer',
        error: expect.any(String),
      },
    ]);

    // No restart: the runner waiting at the event resumes, and follows new events too.
    await register('cli-skip-2');
    const head = serializePosition((await store.headPosition())!);
    await until('the timeline catches up', async () => (await checkpoint()).position === head);
    expect(await checkpoint()).toEqual({ status: 'running', position: head, failed_position: null });
    const { rows: entries } = await pool.query<{ customer_id: string }>(`select customer_id from projection_customer_timeline_v1.timeline_entries order by customer_id`);
    expect(entries.map((entry) => entry.customer_id)).toEqual(['cli-skip-0', 'cli-skip-1', 'cli-skip-2']);

    const status = await cli('projections');
    expect(status.stdout).toMatch(/^customer-timeline v1 \(serving\)  running  applied 3 /m);
    expect(status.stdout).toMatch(new RegExp(`^    skipped 1 event:\\n      event \\S+ \\(CustomerRegistered, stream customer-cli-skip-broken\\) at ${poisonAt}, \\S+Z: imported twice by the old importer$`, 'm'));

    const verified = await cli('verify', 'customer-timeline');
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ differences: [], skipped: [{ position: poisonAt, reason: 'imported twice by the old importer' }] });

    // Passed now: nothing to skip there any more.
    const again = await cli('projections', 'skip', 'customer-timeline', poisonAt, '--reason', 'again');
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(`error: customer-timeline v1 is running (at ${head}), not failed: only the event a projection stopped at can be skipped\n`);
  });
});
