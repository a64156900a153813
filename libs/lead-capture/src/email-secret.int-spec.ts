import type pg from 'pg';
import { WrappedSecrets, secretsMigrations } from '#keys';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, testMasterKeys, type TestDatabase } from '#testing';
import { generatedEmailSecret } from './email-secret.js';
import { FormStore } from './form.store.js';
import { leadCaptureMigrations } from './lead-capture.migrations.js';

describe('the generated e-mail HMAC key', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  const secrets = () => new WrappedSecrets(pool, testMasterKeys());

  // Migrated only: the state a first start finds (prepareDatabase moves the key at once).
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrate(pool, secretsMigrations);
    await migrate(pool, leadCaptureMigrations);
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
    const moved = await Promise.all([1, 2, 3].map(() => generatedEmailSecret(secrets(), forms)));
    expect(moved).toEqual([generated, generated, generated]);
    expect(await forms.plaintextEmailSecret()).toBeNull();
    expect(await generatedEmailSecret(secrets(), forms)).toBe(generated);

    const { rows } = await pool.query<{ row: string }>(`select t::text as row from lead_capture.secrets t union all select t::text from secrets.secrets t`);
    const dump = rows.map((row) => row.row).join('\n');
    expect(dump).toContain('lead-capture/email-claim');
    for (const form of [generated, Buffer.from(generated ?? '').toString('hex'), Buffer.from(generated ?? '').toString('base64')]) {
      expect(dump).not.toContain(form);
    }
  });
});
