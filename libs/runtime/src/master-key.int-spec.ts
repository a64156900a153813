import { randomBytes, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import type pg from 'pg';
import { loadConfig, type AppConfig } from '#config';
import { MasterKey, UnknownMasterKeyError, UnwrapError, masterKeyringOf } from '#keys';
import { createPool } from '#postgres';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import { prepareDatabase } from './database.js';
import { openDataKeyStore } from './event-store.js';
import { openWrappedSecrets } from './keys.js';

/** Every row of the tables as text, the way a dump (pg_dump, COPY) writes them: bytea as hex. */
async function dump(pool: pg.Pool, tables: readonly string[]): Promise<string> {
  const texts = await Promise.all(tables.map(async (table) => (await pool.query<{ row: string }>(`select t::text as row from ${table} t`)).rows.map((r) => r.row)));
  return texts.flat().join('\n');
}

/** The forms a key's bytes could take in a dump or a copy of one. */
const encodings = (bytes: Buffer) => [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')];

describe('the master key and what the database holds', () => {
  let database: TestDatabase;
  let config: AppConfig;
  let pool: pg.Pool;
  const newStream = () => `customer-${randomUUID()}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY });
    await prepareDatabase(config);
    pool = createPool(database.url);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('leaves no data key or secret it handed out readable in a dump of the database', async () => {
    const keys = openDataKeyStore(config, pool);
    const streams = Array.from({ length: 20 }, newStream);
    const handedOut = await Promise.all(streams.map((stream) => keys.keyFor(stream)));
    // Erased, sealed and renewed keys too.
    await keys.erase(streams[0]);
    handedOut.push(await keys.keyFor(streams[0]));
    await keys.seal(streams[1]);
    const secret = await openWrappedSecrets(config, pool).secret('test/signing-key');

    // The e-mail HMAC key the lead-capture migration generated left the clear at the start.
    expect((await pool.query('select name from lead_capture.secrets')).rows).toEqual([]);
    expect((await pool.query('select name from secrets.secrets order by name')).rows).toEqual([{ name: 'lead-capture/email-claim' }, { name: 'test/signing-key' }]);
    const text = await dump(pool, ['personal_data.data_keys', 'secrets.secrets', 'lead_capture.secrets']);
    expect(text).toContain(streams[2]);
    for (const bytes of [...handedOut.map((key) => key.key), secret]) {
      for (const form of encodings(bytes)) expect(text).not.toContain(form);
    }
    const { rows } = await pool.query<{ wrapped_by: string }>('select distinct wrapped_by from personal_data.data_keys where wrapped_key is not null union select wrapped_by from secrets.secrets');
    expect(rows).toEqual([{ wrapped_by: new MasterKey(Buffer.from(TEST_MASTER_KEY, 'base64')).id }]);

    const read = await keys.keysFor(streams.slice(2));
    expect(streams.slice(2).map((stream) => read.get(stream)?.get(1))).toEqual(handedOut.slice(2, 20).map((key) => key.key));
    expect(await openWrappedSecrets(config, pool).secret('test/signing-key')).toEqual(secret);
    await keys.close();
  });

  it('refuses to start with another master key, and a store holding it unwraps nothing', async () => {
    const stream = newStream();
    const keys = openDataKeyStore(config, pool);
    await keys.keyFor(stream);
    const otherKey = randomBytes(32);
    const other = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: otherKey.toString('base64') });
    const otherId = new MasterKey(otherKey).id;
    const refusal = new RegExp(`is wrapped by master key [0-9a-f]{16}, which is not configured \\(this process holds ${otherId}\\)`);

    await expect(prepareDatabase(other)).rejects.toThrow(UnknownMasterKeyError);
    await expect(prepareDatabase(other)).rejects.toThrow(refusal);
    const wrong = openDataKeyStore(other, pool);
    await expect(wrong.keysFor([stream])).rejects.toThrow(refusal);
    await expect(wrong.keyFor(stream)).rejects.toThrow(UnknownMasterKeyError);
    await expect(openWrappedSecrets(other, pool).secret('test/signing-key')).rejects.toThrow(UnknownMasterKeyError);
    await wrong.close();

    // The right key, but a wrapped key copied from another stream's row: it does not open there.
    const victim = newStream();
    await keys.keyFor(victim);
    await pool.query(
      'update personal_data.data_keys set wrapped_key = (select wrapped_key from personal_data.data_keys where stream_id = $1) where stream_id = $2',
      [stream, victim],
    );
    await expect(keys.keysFor([victim])).rejects.toThrow(UnwrapError);
    await expect(keys.keysFor([victim])).rejects.toThrow(`the data key of ${victim} (generation 1): wrapped value fails authentication`);
    await keys.close();
  });

  it('unwraps a key it read before no more, yet never hands out a key another process erased', async () => {
    const streams = Array.from({ length: 5 }, newStream);
    const [reader, eraser] = [openDataKeyStore(config, pool), openDataKeyStore(config, pool)];
    const unwrap = jest.spyOn(masterKeyringOf(config), 'unwrap');
    try {
      await Promise.all(streams.map((stream) => eraser.keyFor(stream)));
      await reader.keysFor(streams);
      unwrap.mockClear();
      const again = await reader.keysFor(streams);
      expect(unwrap).not.toHaveBeenCalled();

      await eraser.erase(streams[0]);
      const after = await reader.keysFor(streams);
      expect(after.get(streams[0])).toEqual(new Map([[1, null]]));
      expect(after.get(streams[1])?.get(1)).toEqual(again.get(streams[1])?.get(1));
      // A renewed key is a new wrapped value: unwrapped, not the erased one.
      const renewed = await eraser.keyFor(streams[0]);
      expect((await reader.keysFor([streams[0]])).get(streams[0])?.get(2)).toEqual(renewed.key);
    } finally {
      unwrap.mockRestore();
      await Promise.all([reader.close(), eraser.close()]);
    }
  });
});
