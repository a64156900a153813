import { ApiKeyService } from '#auth';
import { commandIdFor } from '#commands';
import { PROBLEM_TYPES } from '#http';
import { omit } from '#testing';
import { bodies, ALL_ROUTES, RepsHarness, type RepRoute } from './support.js';

interface OpenApiOperation {
  readonly security?: unknown;
  readonly responses: Record<string, unknown>;
}

describe('rep commands: cross-cutting behaviour', () => {
  let h: RepsHarness;

  beforeAll(async () => {
    h = await RepsHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe.each(ALL_ROUTES.map((route) => [route.name, route] as const))('%s', (_, route: RepRoute) => {
    it('wants an API key (401) before looking at the body, and a role that may send commands (403)', async () => {
      const { body } = await h.expectRejected(route, { case: 'no key', role: null, body: () => ({ colour: 'red' }), status: 401 });
      expect(body.detail).toBe('send an API key: Authorization: Bearer <api key>');
      for (const role of ['analyst', 'auditor'] as const) {
        const { body: forbidden } = await h.expectRejected(route, { case: role, role, body: () => ({ colour: 'red' }), status: 403 });
        expect(forbidden.detail).toBe(`this route needs a key with role service or admin; this key has role ${role}`);
      }
    });

    it('accepts an admin key, naming it as the actor', async () => {
      const event = await h.expectAppended(route, await h.target(route), { role: 'admin' });
      expect(event.metadata.actor).toBe('admin:test-admin');
    });

    it('answers malformed JSON with 400 malformed-json, appending nothing', async () => {
      await h.expectRejected(route, { case: 'malformed JSON', body: () => '{"name": ', status: 400, type: PROBLEM_TYPES.malformedJson });
    });

    it('refuses a body that is not a JSON object', async () => {
      await h.expectRejected(route, { case: 'array body', body: (valid) => [valid], status: 400, field: 'body' });
    });
  });

  describe('Idempotency-Key', () => {
    let serviceKeyId: string;

    beforeAll(async () => {
      const principal = await h.api.app.get(ApiKeyService).authenticate(h.api.keys.service);
      if (!principal) throw new Error('the test service key does not authenticate');
      serviceKeyId = principal.keyId;
    });

    it('gives a retried POST /reps without repId the same rep id, onboarded once', async () => {
      const onboard = () => h.authed().post('/reps').set('Idempotency-Key', 'onboard-key-1').send(bodies.onboard());
      const first = await onboard().expect(201);
      const retry = await onboard().expect(201).expect('Idempotent-Replayed', 'true');
      expect(retry.body).toEqual(first.body);
      expect(first.body.repId).toBe(commandIdFor(serviceKeyId, 'onboard-key-1'));
      expect(await h.types(first.body.repId as string)).toEqual(['RepOnboarded']);
    });

    it('answers a retried task assignment with the first response, appending once; another body under the key is a 422', async () => {
      const repId = await h.onboard();
      const assign = () => h.authed().post(`/reps/${repId}/tasks`).set('Idempotency-Key', 'task-key-1');
      const withoutId = omit(bodies.task(), 'taskId');
      const first = await assign().send(withoutId).expect(201);
      await assign().send(withoutId).expect(201).expect('Idempotent-Replayed', 'true');
      const other = await assign().send({ ...withoutId, title: 'Something else' }).expect(422);
      expect(other.body.type).toBe(PROBLEM_TYPES.idempotencyKeyReused);
      const events = await h.events(repId);
      expect(events.map((event) => event.type)).toEqual(['RepOnboarded', 'TaskAssigned']);
      expect(events[1].data.taskId).toBe(commandIdFor(serviceKeyId, 'task-key-1'));
      expect(first.body.revision).toBe(1);
    });
  });

  it('documents every rep route in the OpenAPI document, secured', async () => {
    const document = (await h.api.http.get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, OpenApiOperation>> };
    const paths = [
      '/reps',
      '/reps/{id}/deactivate',
      '/reps/{id}/commission-plans',
      '/reps/{id}/goals',
      '/reps/{id}/tasks',
      '/reps/{id}/tasks/{taskId}/complete',
      '/reps/{id}/tasks/{taskId}/reassign',
    ];
    for (const path of paths) {
      const operation = document.paths[path]?.post;
      expect([path, operation?.security]).toEqual([path, [{ 'api-key': [] }]]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '409', '422']));
    }
  });
});
