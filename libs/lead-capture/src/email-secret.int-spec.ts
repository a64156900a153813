import type pg from 'pg';
import { loadConfig, type AppConfig } from '#config';
import { createPool } from '#postgres';
import { openWrappedSecrets, prepareDatabase } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import { generatedEmailSecret } from './email-secret.js';
import { FormStore } from './form.store.js';

describe('the generated e-mail HMAC key', () => {
  let database: TestDatabase;
  let config: AppConfig;
  let pool: pg.Pool;

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

  it('moves the key the first migration left in the clear into the wrapped secrets, the same key for every process', async () => {
    const forms = new FormStore(pool);
    const generated = await forms.plaintextEmailSecret();
    expect(generated).toMatch(/^[0-9a-f]{64}$/);

    // Processes starting together all end up with the key the migration generated.
    const secrets = await Promise.all([1, 2, 3].map(() => generatedEmailSecret(openWrappedSecrets(config, pool), forms)));
    expect(secrets).toEqual([generated, generated, generated]);
    expect(await forms.plaintextEmailSecret()).toBeNull();
    expect(await generatedEmailSecret(openWrappedSecrets(config, pool), forms)).toBe(generated);

    const { rows } = await pool.query<{ row: string }>(`select t::text as row from lead_capture.secrets t union all select t::text from secrets.secrets t`);
    const dump = rows.map((row) => row.row).join('\n');
    expect(dump).toContain('lead-capture/email-claim');
    for (const form of [generated, Buffer.from(generated ?? '').toString('hex'), Buffer.from(generated ?? '').toString('base64')]) {
      expect(dump).not.toContain(form);
    }
  });
});
