import type pg from 'pg';
import { ApiKeyService } from '#auth';
import { commandIdFor } from '#commands';
import { eventIdFor, type JsonObject } from '#event-store';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from '#http';
import { PG_POOL } from '#providers';
import { newId, PROBLEM_JSON } from '#testing';
import { ALL_ROUTES, bodies, CustomersHarness, ORDER_ID, ROUTES, type CommandRoute } from '../support/customers.js';

interface OpenApiOperation {
  readonly parameters?: { name: string; in: string; required?: boolean }[];
  readonly requestBody?: unknown;
  readonly security?: unknown;
  readonly responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: { readonly schemas: Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }> };
}

describe('customer commands: cross-cutting behaviour', () => {
  let h: CustomersHarness;
  let serviceKeyId: string;

  beforeAll(async () => {
    h = await CustomersHarness.start();
    const principal = await h.api.app.get(ApiKeyService).authenticate(h.api.keys.service);
    if (!principal) throw new Error('the test service key does not authenticate');
    serviceKeyId = principal.keyId;
  });

  afterAll(async () => {
    await h?.close();
  });

  const typesOf = async (customerId: string) => (await h.events(customerId)).map((event) => event.type);
  const routesWithBody = ALL_ROUTES.filter((route) => route.body !== undefined);

  describe.each(ALL_ROUTES.map((route) => [route.name, route] as const))('%s', (_, route: CommandRoute) => {
    it('answers malformed JSON with 400 malformed-json, appending nothing', async () => {
      await h.expectRejected(route, { case: 'malformed JSON', body: () => '{"source": "api", ', status: 400, type: PROBLEM_TYPES.malformedJson });
    });

    it('answers a body over 256 kB with 413, appending nothing', async () => {
      const { body } = await h.expectRejected(route, {
        case: 'too large',
        body: (valid) => ({ ...valid, padding: 'p'.repeat(300 * 1024) }),
        status: 413,
      });
      expect(body.detail).toBe('the body is larger than 256 kB');
    });

    it('refuses a customer that was erased with 422 customer_erased', async () => {
      await h.expectRejected(route, {
        case: 'erased customer',
        given: async (harness, target) => {
          if (route.registers) await harness.register(bodies.register(target.customerId));
          await harness.authed('admin').post(`/customers/${target.customerId}/erase`).send({}).expect(200);
        },
        status: 422,
        reason: 'customer_erased',
      });
    });

    it('wants an API key (401) before looking at the body, and a role that may send commands (403)', async () => {
      const { body } = await h.expectRejected(route, { case: 'no key', role: null, body: () => ({ colour: 'red' }), status: 401 });
      expect(body.detail).toBe('send an API key: Authorization: Bearer <api key>');
      for (const role of ['analyst', 'auditor'] as const) {
        const { body: forbidden } = await h.expectRejected(route, { case: role, role, body: () => ({ colour: 'red' }), status: 403 });
        expect(forbidden.detail).toBe(`this route needs a key with role service or admin; this key has role ${role}`);
      }
    });

    it('accepts an admin key', async () => {
      const event = await h.expectAppended(route, await h.target(route), { role: 'admin' });
      expect(event.metadata.actor).toBe('admin:test-admin');
    });
  });

  it.each(routesWithBody.map((route) => [route.name, route] as const))('%s refuses a body that is not a JSON object', async (_, route) => {
    await h.expectRejected(route, { case: 'array body', body: (valid) => [valid], status: 400, field: 'body' });
  });

  describe('Idempotency-Key', () => {
    it('answers a retry of POST /customers/:id/calls with the first response, appending once; another body under the key is a 422', async () => {
      const customerId = await h.register();
      const call = () => h.authed().post(`/customers/${customerId}/calls`).set('Idempotency-Key', 'call-key-1');
      const first = await call().send(bodies.call());
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      for (let retry = 0; retry < 2; retry++) {
        const again = await call().send(bodies.call());
        expect({ status: again.status, body: again.body, replayed: again.headers['idempotent-replayed'] }).toEqual({
          status: 201,
          body: first.body,
          replayed: 'true',
        });
      }
      const other = await call().send({ ...bodies.call(), durationSeconds: 421 });
      expect(other.status).toBe(422);
      expect(other.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(other.body.type).toBe(PROBLEM_TYPES.idempotencyKeyReused);
      expect(await typesOf(customerId)).toEqual(['CustomerRegistered', 'CallLogged']);
    });

    it('gives a retried POST /customers without customerId the same customer id, registered once', async () => {
      const register = () => h.authed().post('/customers').set('Idempotency-Key', 'register-key-1').send(bodies.register());
      const first = await register().expect(201);
      const retry = await register().expect(201).expect('Idempotent-Replayed', 'true');
      const { customerId } = first.body as { customerId: string };
      expect(retry.body).toEqual(first.body);
      expect(customerId).toBe(commandIdFor(serviceKeyId, 'register-key-1'));
      expect(await typesOf(customerId)).toEqual(['CustomerRegistered']);
    });

    it('answers a retried purchase with its original outcome even when the stored response is gone, appending nothing', async () => {
      const customerId = await h.register();
      const purchase = () => h.authed().post(`/customers/${customerId}/purchases`).set('Idempotency-Key', 'purchase-key-1').send(bodies.purchase());
      const first = await purchase().expect(201);
      // What a crash between the append and storing the response leaves behind.
      await h.api.app.get<pg.Pool>(PG_POOL).query(`delete from commands.idempotency_keys where idempotency_key = 'purchase-key-1'`);
      const retry = await purchase().expect(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(retry.body).toEqual(first.body);
      expect(await typesOf(customerId)).toEqual(['CustomerRegistered', 'PurchaseRecorded']);
    });
  });

  describe('concurrent commands on one customer', () => {
    it('20 concurrent calls: each is 201 or 409, one CallLogged per 201, each at its own revision', async () => {
      const customerId = await h.register();
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h
            .authed()
            .post(`/customers/${customerId}/calls`)
            .set('Idempotency-Key', `concurrent-call-${customerId}-${i}`)
            .send({ ...bodies.call(), callId: `call-${i}` })
            .then((response) => response),
        ),
      );
      const created = responses.filter((response) => response.status === 201);
      const conflicts = responses.filter((response) => response.status === 409);
      expect(created.length + conflicts.length).toBe(20);
      expect(created.length).toBeGreaterThan(0);
      for (const conflict of conflicts) {
        expect(conflict.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(conflict.body).toMatchObject({ type: PROBLEM_TYPES.concurrencyConflict, currentRevision: expect.any(Number) });
      }
      const revisions = created.map((response) => response.body.revision as number);
      expect(new Set(revisions).size).toBe(created.length);

      const events = await h.events(customerId);
      const calls = events.filter((event) => event.type === 'CallLogged');
      expect(calls).toHaveLength(created.length);
      expect(calls.map((event) => event.revision).sort((a, b) => a - b)).toEqual([...revisions].sort((a, b) => a - b));
      expect(new Set(calls.map((event) => event.data.callId)).size).toBe(created.length);
    });

    it('10 concurrent purchases with one order id: one is recorded, the others refused', async () => {
      const customerId = await h.register();
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          h
            .authed()
            .post(`/customers/${customerId}/purchases`)
            .send({ ...bodies.purchase(ORDER_ID), repId: `rep-${i}` })
            .then((response) => response),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      for (const response of responses.filter((r) => r.status !== 201)) {
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        if (response.status === 422) expect(response.body).toMatchObject({ reason: 'order_already_recorded', field: 'orderId' });
        else expect(response.body).toMatchObject({ status: 409, type: PROBLEM_TYPES.concurrencyConflict });
      }
      const purchases = (await h.events(customerId)).filter((event) => event.type === 'PurchaseRecorded');
      expect(purchases).toHaveLength(1);
      const winner = responses.find((response) => response.status === 201);
      expect(purchases[0].revision).toBe(winner?.body.revision);
    });
  });

  describe('authentication and roles on POST /customers/:id/calls', () => {
    let customerId: string;
    const calls = () => `/customers/${customerId}/calls`;

    beforeAll(async () => {
      customerId = await h.register();
    });

    afterEach(async () => {
      // Only the successful cases below append, one call each.
      const types = await typesOf(customerId);
      expect(types.filter((type) => type !== 'CallLogged')).toEqual(['CustomerRegistered']);
    });

    const expectUnauthenticated = async (request: ReturnType<typeof h.api.http.post>, challenge: string) => {
      const before = await h.revision(customerId);
      const response = await request.send(bodies.call());
      expect({ status: response.status, type: response.body.type, challenge: response.headers['www-authenticate'] }).toEqual({
        status: 401,
        type: PROBLEM_TYPES.unauthenticated,
        challenge,
      });
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(await h.revision(customerId)).toBe(before);
    };

    it('answers 401 without a key', async () => {
      await expectUnauthenticated(h.api.http.post(calls()), 'Bearer realm="crm"');
    });

    it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'crm_abc'])('answers 401 to a malformed Authorization header (%s)', async (header) => {
      await expectUnauthenticated(h.api.http.post(calls()).set('Authorization', header), 'Bearer realm="crm", error="invalid_request"');
    });

    it('answers 401 to an unknown key', async () => {
      await expectUnauthenticated(h.api.http.post(calls()).auth(`crm_${'u'.repeat(43)}`, { type: 'bearer' }), 'Bearer realm="crm", error="invalid_token"');
    });

    it('answers 401 to a revoked key that worked before', async () => {
      const admin = h.authed('admin');
      const created = await admin.post('/api-keys').send({ name: `webshop-${Date.now()}`, role: 'service' }).expect(201);
      const { id, key } = created.body as { id: string; key: string };
      await h.api.http.post(calls()).auth(key, { type: 'bearer' }).send(bodies.call()).expect(201);
      await admin.delete(`/api-keys/${id}`).expect(204);
      await expectUnauthenticated(h.api.http.post(calls()).auth(key, { type: 'bearer' }), 'Bearer realm="crm", error="invalid_token"');
    });

    it.each(['analyst', 'auditor'] as const)('answers 403 to a %s key', async (role) => {
      const before = await h.revision(customerId);
      const response = await h.authed(role).post(calls()).send(bodies.call()).expect(403).expect('Content-Type', PROBLEM_JSON);
      expect(response.body).toEqual({
        type: PROBLEM_TYPES.forbidden,
        title: 'Forbidden',
        status: 403,
        detail: `this route needs a key with role service or admin; this key has role ${role}`,
        instance: calls(),
      });
      expect(await h.revision(customerId)).toBe(before);
    });

    it.each([
      ['service', 'service:test-service'],
      ['admin', 'admin:test-admin'],
    ] as const)('accepts a %s key, naming it as the actor', async (role, actor) => {
      const event = await h.expectAppended(ROUTES.calls, { customerId }, { role });
      expect(event.metadata.actor).toBe(actor);
    });
  });

  describe('personal data in the log', () => {
    it('is encrypted in the stored rows and read back decrypted through the event store', async () => {
      const customerId = newId();
      const registration = {
        ...bodies.register(customerId),
        contact: { name: 'Hedy Lamarr', email: 'hedy.lamarr@example.com', phone: '+1 555 0142', address: { street: '1 Frequency Hopping Way', city: 'Vienna' } },
        company: { name: 'Spread Spectrum GmbH', personInCharge: 'George Antheil' },
      };
      await h.register(registration);
      await h.authed().post(`/customers/${customerId}/notes`).send({ text: 'Secret torpedo guidance notes' }).expect(201);
      await h.authed().post(`/customers/${customerId}/calls`).send({ ...bodies.call(), summary: 'Discussed frequency hopping' }).expect(201);

      const { rows } = await h.api.app
        .get<pg.Pool>(PG_POOL)
        .query<{ type: string; data: string }>('select type, data::text as data from event_store.events where stream_id = $1 order by revision', [
          `customer-${customerId}`,
        ]);
      expect(rows.map((row) => row.type)).toEqual(['CustomerRegistered', 'NoteAdded', 'CallLogged']);
      const stored = rows.map((row) => row.data).join('\n');
      for (const plaintext of ['Hedy', 'Lamarr', 'hedy.lamarr@example.com', '555 0142', 'Frequency Hopping Way', 'George Antheil', 'torpedo', 'frequency hopping', 'Spread Spectrum GmbH', 'trade-fair-2026']) {
        expect(stored).not.toContain(plaintext);
      }
      // The rows read are the right ones: what is not personal is stored as it is, the rest as envelopes.
      expect(stored).toContain(customerId);
      expect(stored).toContain('rep-17');
      expect(JSON.parse(rows[0].data).contact).toEqual({
        name: { $pd: expect.stringMatching(/^v1\./) },
        email: { $pd: expect.stringMatching(/^v1\./) },
        phone: { $pd: expect.stringMatching(/^v1\./) },
        address: { $pd: expect.stringMatching(/^v1\./) },
      });

      const [registered, note, call] = await h.events(customerId);
      expect(registered.data.contact).toEqual(registration.contact);
      expect((registered.data.company as JsonObject).personInCharge).toBe('George Antheil');
      expect(note.data.text).toBe('Secret torpedo guidance notes');
      expect(call.data.summary).toBe('Discussed frequency hopping');
    });
  });

  describe('event metadata', () => {
    it('names the actor, the command, and the correlation id sent as X-Correlation-Id', async () => {
      const customerId = await h.register();
      const event = await h.expectAppended(ROUTES.calls, { customerId }, { headers: { 'X-Correlation-Id': 'journey-42' } });
      const { commandId } = event.metadata;
      expect(commandId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(event.metadata).toEqual({ actor: 'service:test-service', commandId, correlationId: 'journey-42', causationId: commandId, recordedAt: expect.any(Date) });
      expect(event.id).toBe(eventIdFor(commandId, 0));
    });

    it('correlates by the command id without X-Correlation-Id, and derives the command id from the Idempotency-Key', async () => {
      const customerId = await h.register();
      const key = `note-key-${customerId}`;
      const event = await h.expectAppended(ROUTES.notes, { customerId }, { headers: { 'Idempotency-Key': key } });
      const commandId = commandIdFor(serviceKeyId, key);
      expect(event.metadata).toMatchObject({ actor: 'service:test-service', commandId, correlationId: commandId, causationId: commandId });
      expect(event.data.noteId).toBe(commandId);
    });

    it('refuses an X-Correlation-Id that is too long with 400, appending nothing', async () => {
      const customerId = await h.register();
      const before = await h.revision(customerId);
      const response = await h.authed().post(`/customers/${customerId}/calls`).set('X-Correlation-Id', 'j'.repeat(256)).send(bodies.call()).expect(400);
      expect(response.body.errors).toEqual([{ field: 'X-Correlation-Id', message: 'X-Correlation-Id must be 1 to 255 printable ASCII characters, sent once' }]);
      expect(await h.revision(customerId)).toBe(before);
    });
  });

  describe('the OpenAPI document', () => {
    let document: OpenApiDocument;

    beforeAll(async () => {
      document = (await h.api.http.get('/openapi.json').expect(200)).body;
    });

    it.each(ALL_ROUTES.map((route) => [route.name, route] as const))('describes %s: body schema, result, problems, security', (_, route) => {
      const operation = document.paths[route.openApiPath]?.[route.method];
      expect(operation).toBeDefined();
      if (route.schema) {
        expect(operation.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${route.schema}` } } } });
        expect(document.components.schemas[route.schema]).toBeDefined();
      } else {
        expect(operation.requestBody).toBeUndefined();
      }
      expect(operation.responses[String(route.status)].content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/CommandResultDto' } } });
      const problems = route.registers ? ['400', '401', '403', '409', '413', '422'] : ['400', '401', '403', '404', '409', '413', '422'];
      for (const status of problems) {
        expect(operation.responses[status]?.content).toEqual({ [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } });
      }
      expect(operation.security).toEqual([{ 'api-key': [] }]);
      const headers = (operation.parameters ?? []).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name);
      expect(headers).toEqual(expect.arrayContaining(['Idempotency-Key', 'X-Correlation-Id']));
    });

    it.each(ALL_ROUTES.map((route) => [route.name, route] as const))('declares exactly the path parameters of %s, each required', (_, route) => {
      const operation = document.paths[route.openApiPath][route.method];
      const inPath = [...route.openApiPath.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
      expect(declared.map((parameter) => ({ name: parameter.name, required: parameter.required }))).toEqual(inPath.map((name) => ({ name, required: true })));
    });

    it('describes the required fields and nested schemas of the command bodies', () => {
      const { schemas } = document.components;
      expect(schemas.LogCallDto.required).toEqual(expect.arrayContaining(['direction', 'durationSeconds', 'outcome', 'repId']));
      expect(schemas.LogCallDto.required).not.toContain('callId');
      expect(schemas.RegisterCustomerDto.required).toEqual(expect.arrayContaining(['source', 'contact']));
      expect(schemas.RecordPurchaseDto.properties.lines).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/PurchaseLineDto' } });
      expect(schemas.ReviseContractDto.properties.changes).toMatchObject({ $ref: '#/components/schemas/ContractChangesDto' });
      expect(schemas.RecordContractDto.properties.kind).toMatchObject({ enum: ['own', 'competitor'] });
    });
  });
});
