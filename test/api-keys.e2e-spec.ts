import { Controller, Get } from '@nestjs/common';
import { ApiKeyService, CurrentPrincipal, Roles, type Principal } from '#auth';
import { PROBLEM_TYPES } from '#http';
import { startTestApi, type TestApi } from './support/api.js';

/** A route that declares neither @Public() nor @Roles(): denied to every key. */
@Controller('test/undeclared')
class UndeclaredTestController {
  @Get()
  get(): string {
    return 'should not be reachable';
  }
}

/** A route open to two roles, answering who called. */
@Controller('test/whoami')
class WhoAmITestController {
  @Get()
  @Roles('service', 'analyst')
  whoAmI(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}

const PROBLEM_JSON = /^application\/problem\+json/;

describe('API keys over HTTP', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ controllers: [UndeclaredTestController, WhoAmITestController] });
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('authentication and roles (GET /api-keys, admin only)', () => {
    it('answers 401 with a Bearer challenge without a key', async () => {
      const response = await api.http.get('/api-keys').expect(401).expect('Content-Type', PROBLEM_JSON);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="crm"');
      expect(response.body).toEqual({
        type: PROBLEM_TYPES.unauthenticated,
        title: 'Authentication required',
        status: 401,
        detail: 'send an API key: Authorization: Bearer <api key>',
        instance: '/api-keys',
      });
    });

    it.each(['Basic dXNlcjpwYXNz', 'Bearer', `Token ${'k'.repeat(40)}`, 'Bearer a b'])('answers 401 to a malformed header (%s)', async (header) => {
      const response = await api.http.get('/api-keys').set('Authorization', header).expect(401).expect('Content-Type', PROBLEM_JSON);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="crm", error="invalid_request"');
      expect(response.body.type).toBe(PROBLEM_TYPES.unauthenticated);
    });

    it('answers 401 to an unknown key', async () => {
      const response = await api.http.get('/api-keys').auth('crm_unknownkeyunknownkeyunknownkeyunknownkey000', { type: 'bearer' }).expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="crm", error="invalid_token"');
      expect(response.body.detail).toBe('unknown or revoked API key');
    });

    it.each(['service', 'analyst', 'auditor'] as const)('answers 403 to a %s key', async (role) => {
      const response = await api.http.get('/api-keys').auth(api.keys[role], { type: 'bearer' }).expect(403).expect('Content-Type', PROBLEM_JSON);
      expect(response.body).toEqual({
        type: PROBLEM_TYPES.forbidden,
        title: 'Forbidden',
        status: 403,
        detail: `this route needs a key with role admin; this key has role ${role}`,
        instance: '/api-keys',
      });
    });

    it('serves an admin key, whatever the case of the scheme', async () => {
      await api.http.get('/api-keys').auth(api.keys.admin, { type: 'bearer' }).expect(200);
      await api.http.get('/api-keys').set('Authorization', `bearer ${api.keys.admin}`).expect(200);
    });

    it('denies a route that declares no roles to every key, and still wants a key first', async () => {
      await api.http.get('/test/undeclared').expect(401);
      for (const key of Object.values(api.keys)) {
        const response = await api.http.get('/test/undeclared').auth(key, { type: 'bearer' }).expect(403);
        expect(response.body.detail).toBe('this route is open to no role');
      }
    });

    it('admits each role a route names, and tells the handler who called', async () => {
      const { body } = await api.http.get('/test/whoami').auth(api.keys.analyst, { type: 'bearer' }).expect(200);
      expect(body).toEqual({ keyId: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'test-analyst', role: 'analyst' });
      await api.http.get('/test/whoami').auth(api.keys.service, { type: 'bearer' }).expect(200);
      await api.http.get('/test/whoami').auth(api.keys.admin, { type: 'bearer' }).expect(403);
    });

    it('keeps /health public', async () => {
      await api.http.get('/health').expect(200);
    });
  });

  describe('lifecycle', () => {
    const asAdmin = () => ({ Authorization: `Bearer ${api.keys.admin}` });

    it('creates a key shown once, lists it without the key, and revokes it', async () => {
      const created = await api.http.post('/api-keys').set(asAdmin()).send({ name: 'webshop', role: 'service' }).expect(201).expect('Content-Type', /json/);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'webshop',
        role: 'service',
        key: expect.stringMatching(/^crm_[A-Za-z0-9_-]{43}$/),
        prefix: created.body.key.slice(0, 12),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.+Z$/),
      });
      const { id, key } = created.body as { id: string; key: string };
      // Authenticated, though a service key may not manage keys.
      await api.http.get('/api-keys').auth(key, { type: 'bearer' }).expect(403);

      const listed = await api.http.get('/api-keys').set(asAdmin()).expect(200);
      expect(listed.body).toContainEqual({ id, name: 'webshop', role: 'service', prefix: key.slice(0, 12), createdAt: created.body.createdAt, revokedAt: null });
      expect(listed.body.map((entry: { name: string }) => entry.name)).toEqual(expect.arrayContaining(['test-service', 'test-analyst', 'test-auditor', 'test-admin']));
      expect(listed.text).not.toContain(key.slice(12));

      await api.http.delete(`/api-keys/${id}`).set(asAdmin()).expect(204).expect((response) => expect(response.text).toBe(''));
      await api.http.get('/api-keys').auth(key, { type: 'bearer' }).expect(401);
      await api.http.delete(`/api-keys/${id}`).set(asAdmin()).expect(204);
      const afterwards = await api.http.get('/api-keys').set(asAdmin()).expect(200);
      expect(afterwards.body.find((entry: { id: string }) => entry.id === id).revokedAt).toEqual(expect.stringMatching(/Z$/));
    });

    it('refuses a second active key with the same name with 409', async () => {
      await api.http.post('/api-keys').set(asAdmin()).send({ name: 'billing', role: 'service' }).expect(201);
      const response = await api.http.post('/api-keys').set(asAdmin()).send({ name: 'billing', role: 'analyst' }).expect(409).expect('Content-Type', PROBLEM_JSON);
      expect(response.body).toMatchObject({ type: PROBLEM_TYPES.conflict, status: 409, errors: [{ field: 'name', message: 'an active API key is already named "billing"' }] });
    });

    it('names the invalid fields of a bad request', async () => {
      const response = await api.http.post('/api-keys').set(asAdmin()).send({ name: 'web shop', role: 'root', expiresAt: 'never' }).expect(400).expect('Content-Type', PROBLEM_JSON);
      expect(response.body).toEqual({
        type: PROBLEM_TYPES.validationFailed,
        title: 'Invalid request',
        status: 400,
        detail: '3 problems with the request; see errors',
        instance: '/api-keys',
        errors: [
          { field: 'expiresAt', message: 'property expiresAt should not exist' },
          { field: 'name', message: "name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit" },
          { field: 'role', message: 'role must be one of service, analyst, auditor, admin' },
        ],
      });
    });

    it('answers 404 to an unknown id and 400 to an id that is not a UUID', async () => {
      const unknown = await api.http.delete('/api-keys/0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d').set(asAdmin()).expect(404).expect('Content-Type', PROBLEM_JSON);
      expect(unknown.body).toMatchObject({ type: PROBLEM_TYPES.notFound, detail: 'no API key 0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d' });
      const invalid = await api.http.delete('/api-keys/42').set(asAdmin()).expect(400).expect('Content-Type', PROBLEM_JSON);
      expect(invalid.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
    });
  });
});

describe('CRM_ADMIN_API_KEY', () => {
  const adminKey = 'a-long-admin-key-for-automation-0123456789';
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ env: { CRM_ADMIN_API_KEY: adminKey } });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('is provisioned at start as an admin key, stored like any other', async () => {
    const response = await api.http.get('/api-keys').auth(adminKey, { type: 'bearer' }).expect(200);
    expect(response.body).toContainEqual(expect.objectContaining({ name: 'CRM_ADMIN_API_KEY', role: 'admin', prefix: 'a-lo', revokedAt: null }));
    expect(response.text).not.toContain(adminKey);
  });

  it('is provisioned once, however often the api starts', async () => {
    // What a second api process starting on the same database does.
    expect(await api.app.get(ApiKeyService).provision(adminKey, 'CRM_ADMIN_API_KEY')).toBe('unchanged');
    const response = await api.http.get('/api-keys').auth(adminKey, { type: 'bearer' }).expect(200);
    expect(response.body.filter((key: { name: string }) => key.name === 'CRM_ADMIN_API_KEY')).toHaveLength(1);
  });
});
