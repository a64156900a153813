import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { runDecider } from '#commands';
import { loadConfig, type AppConfig } from '#config';
import { customerDecider, customerStream } from '#customers/domain';
import { schemaVersionOf } from '#event-catalog';
import { MasterKey, UnknownMasterKeyError } from '#keys';
import { createPool } from '#postgres';
import { openDataKeyStore, openEventStore, openWrappedSecrets, prepareDatabase, rotateToMasterKey } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import { runCliCapturing } from '../../../test/support/cli.js';

describe('the CLI keys rotate-master command', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let config: AppConfig;
  const testKey = Buffer.from(TEST_MASTER_KEY, 'base64');
  const newKey = randomBytes(32);
  let newKeyFile: string;
  const customers = Array.from({ length: 7 }, (_, n) => `cli-keys-${n}-${randomUUID()}`);
  const streams = customers.map(customerStream);
  let dataKeys: Map<string, Buffer>;
  let secret: Buffer;
  /** Rows wrapped: each customer's key, the e-mail HMAC key made at the first start, the test's secret. */
  const wrappedRows = streams.length + 2;

  const cli = (env: NodeJS.ProcessEnv, ...argv: string[]) => runCliCapturing(database.url, argv, env);
  const configWith = (env: NodeJS.ProcessEnv) => loadConfig({ DATABASE_URL: database.url, ...env });
  /** Every row holding a wrapped value, by the master key that wrapped it. */
  const wrappedBy = async () =>
    (
      await pool.query<{ wrapped_by: string; count: number }>(
        `select wrapped_by, count(*)::int as count from (
           select wrapped_by from personal_data.data_keys where wrapped_key is not null union all select wrapped_by from secrets.secrets
         ) rows group by 1 order by 1`,
      )
    ).rows;
  const events = async () => (await pool.query<{ row: string }>('select e::text as row from event_store.events e order by 1')).rows;
  const keysUnder = async (of: AppConfig) => {
    const store = openDataKeyStore(of, pool);
    try {
      const read = await store.keysFor(streams);
      return new Map(streams.map((stream) => [stream, read.get(stream)?.get(1) ?? Buffer.alloc(0)]));
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'crm-rotate-'));
    newKeyFile = join(dir, 'new-master.key');
    writeFileSync(newKeyFile, `${newKey.toString('base64')}\n`, { mode: 0o600 });
    config = configWith({ CRM_MASTER_KEY: TEST_MASTER_KEY });
    await prepareDatabase(config);
    pool = createPool(database.url);
    const store = openEventStore(config, pool);
    for (const [n, customerId] of customers.entries()) {
      const commandId = randomUUID();
      await runDecider(
        store,
        customerDecider,
        customerStream(customerId),
        { type: 'RegisterCustomer', customerId, source: 'import', contact: { name: `Person ${n}`, email: `person${n}@example.com` }, registeredAt: new Date().toISOString() },
        { commandId, correlationId: commandId, causationId: commandId, actor: 'service:cli-test' },
        { schemaVersionOf },
      );
    }
    await store.close();
    dataKeys = await keysUnder(config);
    secret = await openWrappedSecrets(config, pool).secret('test/log-signing');
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a new key that is not one', async () => {
    const short = await cli({ CRM_MASTER_KEY: TEST_MASTER_KEY }, 'keys', 'rotate-master', '--new-key', 'c2hvcnQ=');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/--new-key must be 32 bytes as base64 or hex/);
    const missing = await cli({ CRM_MASTER_KEY: TEST_MASTER_KEY }, 'keys', 'rotate-master', '--new-key-file', join(dir, 'nothing.key'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--new-key-file=".*nothing\.key": cannot read the file \(ENOENT\)/);
    expect((await cli({}, 'keys', 'rotate-master')).status).toBe(2);
  });

  it('re-wraps every key and secret by the new key, carrying on after an interruption, and leaves the events as they were', async () => {
    const before = await events();
    const oldId = new MasterKey(testKey).id;
    const newId = new MasterKey(newKey).id;
    expect(await wrappedBy()).toEqual([{ wrapped_by: oldId, count: wrappedRows }]);

    // Interrupted after its first batch (as by Ctrl-C).
    const interrupt = new AbortController();
    const first = await rotateToMasterKey(config, pool, new MasterKey(newKey), { batchSize: 2, signal: interrupt.signal, onProgress: () => interrupt.abort() });
    expect(first).toEqual({ rewrapped: 2, interrupted: true });
    expect(await wrappedBy()).toEqual([{ wrapped_by: oldId, count: wrappedRows - 2 }, { wrapped_by: newId, count: 2 }].sort((a, b) => a.wrapped_by.localeCompare(b.wrapped_by)));
    // Meanwhile a process holding the old key alone does not start: some keys need the new one.
    await expect(prepareDatabase(config)).rejects.toThrow(UnknownMasterKeyError);

    // The same command again carries on.
    const rerun = await cli({ CRM_MASTER_KEY: TEST_MASTER_KEY }, 'keys', 'rotate-master', '--new-key-file', newKeyFile, '--batch-size', '3');
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain(`re-wrapped ${wrappedRows - 2} keys and secrets: every one is wrapped by master key ${newId} now (before: ${oldId})`);
    expect(rerun.stdout).toContain(`CRM_MASTER_KEY_FILE=${newKeyFile} (and unset CRM_MASTER_KEY)`);
    expect(await wrappedBy()).toEqual([{ wrapped_by: newId, count: wrappedRows }]);

    const rotated = configWith({ CRM_MASTER_KEY_FILE: newKeyFile });
    expect(await keysUnder(rotated)).toEqual(dataKeys);
    expect(await openWrappedSecrets(rotated, pool).secret('test/log-signing')).toEqual(secret);
    await expect(keysUnder(config)).rejects.toThrow(UnknownMasterKeyError);
    expect(await events()).toEqual(before);
    const store = openEventStore(rotated, pool);
    expect((await store.readStream(streams[4]))[0].data).toMatchObject({ contact: { name: 'Person 4', email: 'person4@example.com' } });
    await store.close();

    // Nothing left to do with the new key configured.
    const again = await cli({ CRM_MASTER_KEY_FILE: newKeyFile }, 'keys', 'rotate-master', '--new-key-file', newKeyFile);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`re-wrapped 0 keys and secrets: every one is wrapped by master key ${newId} now`);
  });

  it('rotates with the old key as CRM_MASTER_KEY_PREVIOUS while processes already wrap with the new one', async () => {
    const next = randomBytes(32);
    const window = configWith({ CRM_MASTER_KEY: next.toString('hex'), CRM_MASTER_KEY_PREVIOUS_FILE: newKeyFile });
    await prepareDatabase(window);
    // Processes in the window read what the previous key wrapped and wrap new keys with the next one.
    expect(await keysUnder(window)).toEqual(dataKeys);
    const fresh = openDataKeyStore(window, pool);
    await fresh.keyFor(`customer-${randomUUID()}`);
    await fresh.close();

    const rotation = await cli({ CRM_MASTER_KEY: next.toString('hex'), CRM_MASTER_KEY_PREVIOUS_FILE: newKeyFile }, 'keys', 'rotate-master', '--new-key', next.toString('base64'));
    expect(rotation.status).toBe(0);
    expect(rotation.stdout).toContain(`re-wrapped ${wrappedRows} keys and secrets: every one is wrapped by master key ${new MasterKey(next).id} now`);
    expect(rotation.stdout).toContain('unset CRM_MASTER_KEY_PREVIOUS and CRM_MASTER_KEY_PREVIOUS_FILE');
    expect(await wrappedBy()).toEqual([{ wrapped_by: new MasterKey(next).id, count: wrappedRows + 1 }]);
    expect(await keysUnder(configWith({ CRM_MASTER_KEY: next.toString('base64') }))).toEqual(dataKeys);
  });

  it('refuses every command with a master key the database was not set up with', async () => {
    const wrong = await cli({ CRM_MASTER_KEY: randomBytes(32).toString('base64') }, 'keys', 'list');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^error: a row of personal_data\.data_keys is wrapped by master key [0-9a-f]{16}, which is not configured \(this process holds [0-9a-f]{16}\)/);
  });
});
