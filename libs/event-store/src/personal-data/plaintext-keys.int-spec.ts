import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { wrapRow } from '#keys';
import { createPool, migrate, type MigrationSet } from '#postgres';
import { createTestDatabase, testMasterKeys, type TestDatabase } from '#testing';
import { StreamErasedError } from '../errors.js';
import { eventIdFor, type NewEvent } from '../event.js';
import { eventStoreMigrations } from '../postgres/event-store.migrations.js';
import { PostgresEventStore } from '../postgres/postgres-event-store.js';
import { encryptValue } from './cipher.js';
import { DATA_KEYS_TABLE, PostgresDataKeyStore } from './data-key-store.js';
import { PersonalDataEventStore } from './personal-data-event-store.js';
import { personalDataMigrations } from './personal-data.migrations.js';
import { wrapPlaintextDataKeys } from './plaintext-keys.js';
import { PersonalDataPolicy } from './policy.js';

/** personal_data as a former version left it: keys in the clear, before the migration that wraps them. */
const plaintextEra: MigrationSet = {
  schema: personalDataMigrations.schema,
  migrations: Object.fromEntries(Object.entries(personalDataMigrations.migrations).filter(([name]) => name < '0003')),
};

const policy = new PersonalDataPolicy({ LeadRegistered: ['name'] });
const lead = (name: string, key: Buffer, streamId: string): NewEvent => {
  const commandId = randomUUID();
  return {
    id: eventIdFor(commandId),
    type: 'LeadRegistered',
    schemaVersion: 1,
    // Encrypted as the former version did, under the key kept in the clear.
    data: { name: encryptValue(name, { generation: 1, key }, streamId), source: 'web' },
    metadata: { actor: 'service:test', commandId, correlationId: commandId, causationId: commandId },
  };
};

describe('the upgrade of data keys stored in the clear', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let log: PostgresEventStore;
  const plaintext = new Map<string, Buffer>();
  const [erased, sealed] = [`customer-${randomUUID()}`, `customer-${randomUUID()}`];
  const masterKeys = testMasterKeys();

  const columns = async () =>
    (await pool.query<{ column_name: string }>(`select column_name from information_schema.columns where table_schema = 'personal_data' and table_name = 'data_keys' order by column_name`)).rows.map((row) => row.column_name);
  const events = async () => (await pool.query<{ row: string }>('select e::text as row from event_store.events e order by 1')).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrate(pool, eventStoreMigrations);
    await migrate(pool, plaintextEra);
    log = new PostgresEventStore({ connectionString: database.url, pool });
    // More keys than one batch of the upgrade wraps.
    const streams = Array.from({ length: 1_203 }, () => `customer-${randomUUID()}`);
    for (const stream of streams) plaintext.set(stream, randomBytes(32));
    await pool.query(
      `insert into personal_data.data_keys (stream_id, generation, data_key) select * from unnest($1::text[], array_fill(1, array[$3::int]), $2::bytea[])`,
      [streams, streams.map((stream) => plaintext.get(stream)), streams.length],
    );
    for (const stream of streams.slice(0, 5)) await log.append(stream, [lead(`Person ${stream}`, plaintext.get(stream)!, stream)], 'no_stream');
    await pool.query(`insert into personal_data.data_keys (stream_id, generation, data_key, erased_at) values ($1, 1, null, now())`, [erased]);
    await pool.query(`insert into personal_data.data_keys (stream_id, generation, data_key, erased_at, sealed) values ($1, 1, null, now(), true)`, [sealed]);
    await migrate(pool, personalDataMigrations);
  });
  afterAll(async () => {
    await log?.close();
    await pool?.end();
    await database?.drop();
  });

  it('wraps every key once, in batches, also when processes upgrade at once, then drops the plaintext column', async () => {
    const before = await events();
    // As if a start had crashed after its first batch: those rows are wrapped already.
    const [first] = plaintext.keys();
    expect(await wrapAsACrashedStartDid(first)).toBe(1);

    const wrapped = await Promise.all([wrapPlaintextDataKeys(pool, masterKeys), wrapPlaintextDataKeys(pool, masterKeys), wrapPlaintextDataKeys(pool, masterKeys)]);
    expect(wrapped.reduce((a, b) => a + b, 0)).toBe(plaintext.size - 1);
    expect(await columns()).toEqual(['created_at', 'erased_at', 'generation', 'sealed', 'stream_id', 'wrapped_by', 'wrapped_key']);
    expect(await wrapPlaintextDataKeys(pool, masterKeys)).toBe(0);

    const { rows } = await pool.query<{ wrapped_by: string | null; count: number }>('select wrapped_by, count(*)::int as count from personal_data.data_keys group by 1 order by 1');
    expect(rows).toEqual([
      { wrapped_by: masterKeys.current.id, count: plaintext.size },
      { wrapped_by: null, count: 2 },
    ]);
    const dump = (await pool.query<{ row: string }>('select k::text as row from personal_data.data_keys k')).rows.map((row) => row.row).join('\n');
    for (const key of plaintext.values()) expect(dump).not.toContain(key.toString('hex'));
    // The log is not touched.
    expect(await events()).toEqual(before);
  });

  it('leaves every key as it was: values read back, erased stays erased, sealed stays sealed', async () => {
    const keys = new PostgresDataKeyStore({ connectionString: database.url, pool, masterKeys });
    const streams = [...plaintext.keys()];
    const read = await keys.keysFor([...streams, erased]);
    expect(streams.every((stream) => read.get(stream)?.get(1)?.equals(plaintext.get(stream)!))).toBe(true);
    expect(read.get(erased)).toEqual(new Map([[1, null]]));
    await expect(keys.keyFor(sealed)).rejects.toThrow(StreamErasedError);
    expect((await keys.keyFor(streams[7])).key).toEqual(plaintext.get(streams[7]));

    const store = new PersonalDataEventStore(log, keys, policy);
    const [event] = await store.readStream(streams[3]);
    expect(event.data).toEqual({ name: `Person ${streams[3]}`, source: 'web' });
    // A new key after the erase gets the next generation, wrapped.
    expect((await keys.keyFor(erased)).generation).toBe(2);
  });

  /** Wraps the one row of `stream` as the upgrade does, standing for a batch a crashed start committed. */
  async function wrapAsACrashedStartDid(stream: string): Promise<number> {
    const result = await pool.query('update personal_data.data_keys set wrapped_key = $1, wrapped_by = $2, data_key = null where stream_id = $3', [
      wrapRow(DATA_KEYS_TABLE, masterKeys.current, [stream, '1'], plaintext.get(stream)!),
      masterKeys.current.id,
      stream,
    ]);
    return result.rowCount ?? 0;
  }
});
