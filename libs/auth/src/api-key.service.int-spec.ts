import { createHash } from 'node:crypto';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import type pg from 'pg';
import { authMigrations } from './auth.migrations.js';
import { ApiKeyInputError, ApiKeyNameTakenError, ApiKeyService } from './api-key.service.js';

describe('ApiKeyService', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let apiKeys: ApiKeyService;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrate(pool, authMigrations);
    apiKeys = new ApiKeyService(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('creates a key, shown once, that authenticates as its principal', async () => {
    const created = await apiKeys.create({ name: 'webshop', role: 'service' });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'webshop',
      role: 'service',
      key: expect.stringMatching(/^crm_[A-Za-z0-9_-]{43}$/),
      prefix: created.key.slice(0, 12),
      createdAt: expect.any(Date),
      revokedAt: null,
    });
    expect(await apiKeys.authenticate(created.key)).toEqual({ keyId: created.id, name: 'webshop', role: 'service' });
    expect(await apiKeys.authenticate(`${created.key}x`)).toBeNull();
    expect(await apiKeys.authenticate('')).toBeNull();
  });

  it('stores only the SHA-256 of the key', async () => {
    const { id, key } = await apiKeys.create({ name: 'hash-check', role: 'analyst' });
    const { rows } = await pool.query('select key_hash, row_to_json(k)::text as everything from auth.api_keys k where id = $1', [id]);
    expect(rows[0].key_hash).toEqual(createHash('sha256').update(key).digest());
    expect(rows[0].everything).not.toContain(key.slice(4));
  });

  it('lists keys without the keys themselves', async () => {
    const listed = await apiKeys.list();
    expect(listed.map((key) => key.name)).toEqual(expect.arrayContaining(['webshop', 'hash-check']));
    for (const key of listed) expect(Object.keys(key).sort()).toEqual(['createdAt', 'id', 'name', 'prefix', 'revokedAt', 'role']);
  });

  it('revokes a key at once, keeps the first revocation time, and frees its name', async () => {
    const created = await apiKeys.create({ name: 'billing', role: 'service' });
    const revoked = await apiKeys.revoke(created.id);
    expect(revoked).toMatchObject({ id: created.id, revokedAt: expect.any(Date) });
    expect(await apiKeys.authenticate(created.key)).toBeNull();
    expect((await apiKeys.revoke(created.id))?.revokedAt).toEqual(revoked?.revokedAt);

    const again = await apiKeys.create({ name: 'billing', role: 'service' });
    expect(await apiKeys.authenticate(again.key)).toMatchObject({ keyId: again.id });
  });

  it('says when there is no key to revoke', async () => {
    expect(await apiKeys.revoke('0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d')).toBeNull();
    expect(await apiKeys.revoke('not-a-uuid')).toBeNull();
  });

  it('refuses a second active key with the same name, and invalid names or roles', async () => {
    await apiKeys.create({ name: 'call-center', role: 'service' });
    await expect(apiKeys.create({ name: 'call-center', role: 'analyst' })).rejects.toThrow(ApiKeyNameTakenError);
    await expect(apiKeys.create({ name: 'call center', role: 'analyst' })).rejects.toThrow(ApiKeyInputError);
    await expect(apiKeys.create({ name: 'root', role: 'root' as 'admin' })).rejects.toThrow(ApiKeyInputError);
  });

  describe('provision (CRM_ADMIN_API_KEY)', () => {
    const adminKey = 'f'.repeat(40);

    it('creates the admin key once, however often and concurrently it runs', async () => {
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => apiKeys.provision(adminKey, 'CRM_ADMIN_API_KEY')));
      expect(outcomes.sort()).toEqual(['created', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
      expect(await apiKeys.authenticate(adminKey)).toMatchObject({ name: 'CRM_ADMIN_API_KEY', role: 'admin' });
      expect((await apiKeys.list()).filter((key) => key.name === 'CRM_ADMIN_API_KEY')).toHaveLength(1);
    });

    it('rotates: a new value revokes the key provisioned before under the name', async () => {
      const newKey = 'e'.repeat(40);
      expect(await apiKeys.provision(newKey, 'CRM_ADMIN_API_KEY')).toBe('rotated');
      expect(await apiKeys.authenticate(adminKey)).toBeNull();
      expect(await apiKeys.authenticate(newKey)).toMatchObject({ role: 'admin' });
    });

    it('does not revive a revoked key', async () => {
      const key = 'd'.repeat(40);
      expect(await apiKeys.provision(key, 'ops-admin')).toBe('created');
      const [record] = (await apiKeys.list()).filter((listed) => listed.name === 'ops-admin');
      await apiKeys.revoke(record.id);
      expect(await apiKeys.provision(key, 'ops-admin')).toBe('revoked');
      expect(await apiKeys.authenticate(key)).toBeNull();
    });

    it('makes an existing key admin under the name', async () => {
      const { key } = await apiKeys.create({ name: 'promoted', role: 'auditor' });
      expect(await apiKeys.provision(key, 'promoted-admin')).toBe('updated');
      expect(await apiKeys.authenticate(key)).toMatchObject({ name: 'promoted-admin', role: 'admin' });
    });
  });
});
