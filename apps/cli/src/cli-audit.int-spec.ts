import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { runDecider } from '#commands';
import { loadConfig } from '#config';
import { customerDecider, customerStream, type CustomerCommand } from '#customers/domain';
import { schemaVersionOf } from '#event-catalog';
import { serializePosition, type EventStore, type PostgresDataKeyStore, type RecordedEvent } from '#event-store';
import { createPool } from '#postgres';
import { createEventStore, DOMAIN_EVENT_SCHEMA, openDataKeyStore, prepareDatabase } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import { runCliCapturing } from '../../../test/support/cli.js';

/** `replay` and `state` in process, against a fresh database holding customers written as the api writes them. */
describe('the CLI replay and state commands', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let keys: PostgresDataKeyStore;
  let store: EventStore;
  const id = `c-${randomUUID()}`;
  let recorded: RecordedEvent[];

  const cli = (...argv: string[]) => runCliCapturing(database.url, argv);

  const lines = (stdout: string) => stdout.trimEnd().split('\n').map((line) => JSON.parse(line));

  async function execute(command: CustomerCommand): Promise<void> {
    const commandId = randomUUID();
    await runDecider(store, customerDecider, customerStream(command.customerId), command, { commandId, correlationId: commandId, causationId: commandId, actor: 'service:cli-test' }, { schemaVersionOf });
    // Distinct recording times, so a time between two commands exists.
    await sleep(5);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY });
    await prepareDatabase(config);
    pool = createPool(database.url);
    keys = openDataKeyStore(config, pool);
    store = createEventStore(config, pool, keys, DOMAIN_EVENT_SCHEMA);
    const now = () => new Date().toISOString();
    await execute({ type: 'RegisterCustomer', customerId: id, source: 'api', contact: { name: 'Ada Lovelace', email: 'ada@example.com' }, registeredAt: now() });
    await execute({ type: 'RecordPurchase', customerId: id, orderId: 'o-1', lines: [{ productSku: 'SKU-1', quantity: 2, unitPriceMinor: 1500, currency: 'EUR' }], purchasedAt: now() });
    await execute({ type: 'RecordRefund', customerId: id, refundId: 'r-1', orderId: 'o-1', lines: [{ lineNo: 1, quantity: 1 }], refundedAt: now() });
    recorded = await store.readStream(customerStream(id));
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('replays the history as one JSON line per event, personal data decrypted', async () => {
    const replay = await cli('replay', id);
    expect(replay).toMatchObject({ status: 0, stderr: '' });
    const events = lines(replay.stdout);
    expect(events.map((e) => [e.revision, e.type])).toEqual([
      [0, 'CustomerRegistered'],
      [1, 'PurchaseRecorded'],
      [2, 'RefundRecorded'],
    ]);
    expect(events[0]).toEqual({
      id: recorded[0].id,
      revision: 0,
      position: serializePosition(recorded[0].position),
      type: 'CustomerRegistered',
      schemaVersion: 1,
      data: expect.objectContaining({ customerId: id, contact: { name: 'Ada Lovelace', email: 'ada@example.com' } }),
      metadata: {
        actor: 'service:cli-test',
        commandId: recorded[0].metadata.commandId,
        correlationId: recorded[0].metadata.commandId,
        causationId: recorded[0].metadata.commandId,
        recordedAt: recorded[0].metadata.recordedAt.toISOString(),
      },
    });
  });

  it('bounds the replay by revision and by time', async () => {
    const revisions = async (...options: string[]) => {
      const replay = await cli('replay', id, ...options);
      expect(replay).toMatchObject({ status: 0, stderr: '' });
      return replay.stdout === '' ? [] : lines(replay.stdout).map((e) => e.revision);
    };
    expect(await revisions('--from-revision', '1')).toEqual([1, 2]);
    expect(await revisions('--from-revision=1', '--to-revision=1')).toEqual([1]);
    expect(await revisions('--until', recorded[1].metadata.recordedAt.toISOString())).toEqual([0, 1]);
    expect(await revisions('--from-revision', '3')).toEqual([]);
  });

  it('replays a history longer than one page', async () => {
    const bulk = `bulk-${randomUUID()}`;
    const metadata = { actor: 'service:cli-test', commandId: randomUUID(), correlationId: 'bulk', causationId: 'bulk' };
    // More events than the 1000 of one page.
    const notes = Array.from({ length: 1_050 }, (_, i) => ({
      id: randomUUID(),
      type: 'NoteAdded',
      schemaVersion: 1,
      data: { noteId: `n-${i}`, text: `note ${i}`, addedAt: new Date().toISOString() },
      metadata,
    }));
    await store.append(customerStream(bulk), notes, 'no_stream');
    const replay = await cli('replay', bulk);
    expect(replay.status).toBe(0);
    const events = lines(replay.stdout);
    expect(events.map((e) => e.revision)).toEqual(notes.map((_, i) => i));
    expect(events[1_049].data.text).toBe('note 1049');
  });

  it('prints the state as of now, a revision, or a time between two commands', async () => {
    const state = async (...options: string[]) => {
      const printed = await cli('state', id, ...options);
      expect(printed).toMatchObject({ status: 0, stderr: '' });
      return JSON.parse(printed.stdout);
    };
    const now = await state();
    expect(now).toMatchObject({ customerId: id, asOf: { revision: 2, recordedAt: recorded[2].metadata.recordedAt.toISOString() } });
    expect(now.state).toMatchObject({ registered: true, contact: { name: 'Ada Lovelace' }, orders: { 'o-1': { totalMinor: 3000, refundedMinor: 1500 } } });

    expect((await state('--as-of', '1')).state.orders['o-1']).toMatchObject({ refundedMinor: 0 });
    const between = new Date((recorded[1].metadata.recordedAt.getTime() + recorded[2].metadata.recordedAt.getTime()) / 2);
    const then = await state(`--as-of=${between.toISOString()}`);
    expect(then.asOf.revision).toBe(1);
    expect(then.state.orders['o-1']).toMatchObject({ refundedMinor: 0 });
  });

  it('shows an erased person with erased markers', async () => {
    const erasedId = `c-${randomUUID()}`;
    await execute({ type: 'RegisterCustomer', customerId: erasedId, source: 'api', contact: { name: 'Grace Hopper' }, registeredAt: new Date().toISOString() });
    await keys.erase(customerStream(erasedId));
    await execute({ type: 'EraseCustomer', customerId: erasedId, erasedAt: new Date().toISOString() });

    const replay = await cli('replay', erasedId);
    expect(lines(replay.stdout).map((e) => [e.type, e.data.contact])).toEqual([
      ['CustomerRegistered', { name: { $erased: true } }],
      ['CustomerErased', undefined],
    ]);
    expect(JSON.parse((await cli('state', erasedId, '--as-of', '0')).stdout).state.contact).toEqual({ name: { $erased: true } });
    expect(JSON.parse((await cli('state', erasedId)).stdout).state).toMatchObject({ erased: true, contact: null });
  });

  it('fails with a message for an unknown customer or a time before the first event', async () => {
    expect(await cli('replay', 'nobody-here')).toEqual({ status: 1, stdout: '', stderr: 'error: no customer nobody-here\n' });
    expect(await cli('state', 'nobody-here')).toEqual({ status: 1, stdout: '', stderr: 'error: no customer nobody-here\n' });
    const before = new Date(recorded[0].metadata.recordedAt.getTime() - 1).toISOString();
    expect(await cli('state', id, '--as-of', before)).toEqual({
      status: 1,
      stdout: '',
      stderr: `error: customer ${id} did not exist yet at ${before}: their first event was recorded at ${recorded[0].metadata.recordedAt.toISOString()}\n`,
    });
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const bad = await cli('state', id, '--as-of', 'soon');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: --as-of must be a revision \(an integer of 0 or more\) or an ISO 8601 timestamp/);
    expect(bad.stderr).toContain('Usage: npm run cli -- <command>');
    expect((await cli('help')).stdout).toContain('replay <customerId> [--from-revision <n>] [--to-revision <n>] [--until <time>]');
  });
});
