import { ROLES, type Role } from '#auth';
import type { Test } from 'supertest';
import { nested, RULE_BREAKING } from '#testing';
import { eventCount, expectProjectionsCaughtUp, startTestApi, type TestApi } from './support/api.js';
import { exampleOf as exampleIn, fetchOpenApi, operationsOf, type OpenApiDocument, type Operation, type Schema } from './support/openapi.js';

/**
 * Generated hostile requests against every route the OpenAPI document lists: bodies for each POST
 * and PATCH (built from the route's schema, then broken one way at a time), values for each query
 * and path parameter. Whatever arrives, the answer is never a 5xx, a refused request appends
 * nothing, and the read models keep up with the log. Deterministic: one seed, the same requests
 * every run.
 */

/** A small deterministic PRNG (mulberry32): the fuzz picks the same fields every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261207;
/** Routes not fuzzed, and why. */
const SKIPPED: ReadonlySet<string> = new Set([
  'GET /leaderboard/stream', // an event stream: it answers, then stays open by design
]);
/** Run last: they change what the other routes find (an erased customer, a retired product...). */
const LAST = /\/(erase|retire|end|deactivate|disable|terminate)$/;

/** Strings that break the text rule, and other shapes of trouble for a string field. */
const HOSTILE_STRINGS: readonly string[] = [...Object.values(RULE_BREAKING), 'x'.repeat(300_000 / 3), '', ' ', '%00', '\\u0000'];
const HOSTILE_QUERY_VALUES: readonly string[] = ['x%00y', '%07', '%ED%A0%80', '%', '%zz', '%C0%80', 'a'.repeat(5_000), '[]', '1e309', '-1', '__proto__'];

/** Every bad body of a route: whole-body troubles, then each string field broken in turn (a sample). */
function hostileBodies(valid: Readonly<Record<string, unknown>>, next: () => number): (string | object)[] {
  const bodies: (string | object)[] = [
    '{"a":',
    '[]',
    '"text"',
    'null',
    `{"contact":${nested(3_000)}}`,
    `{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}`,
    { ...valid, constructor: { prototype: { polluted: true } } },
    { ...valid, unknownField: 1 },
  ];
  const leaves = leafPaths(valid);
  for (const path of leaves) {
    bodies.push(withValue(valid, path, 12345), withValue(valid, path, { nested: ['x'] }), withValue(valid, path, null));
    const picks = HOSTILE_STRINGS.filter(() => next() < 0.5);
    for (const text of picks) bodies.push(withValue(valid, path, text));
  }
  return bodies;
}

function leafPaths(value: unknown, path: readonly (string | number)[] = []): (readonly (string | number)[])[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]));
  return [path];
}

function withValue(body: Readonly<Record<string, unknown>>, path: readonly (string | number)[], value: unknown): object {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  target[path[path.length - 1]] = value;
  return copy;
}

describe('fuzzing every route with hostile input', () => {
  let api: TestApi;
  let document: OpenApiDocument;
  let operations: Operation[];
  /** Ids of what the valid requests created, by the collection they were posted to. */
  const created = new Map<string, string>();
  const roles = new Map<string, Role | null>();
  const fiveHundreds: string[] = [];
  const appendedByRefusals: string[] = [];

  beforeAll(async () => {
    api = await startTestApi({ withProjector: true });
    document = await fetchOpenApi(api);
    operations = operationsOf(document)
      .filter((op) => !SKIPPED.has(`${op.method.toUpperCase()} ${op.path}`))
      .sort((a, b) => Number(LAST.test(a.path)) - Number(LAST.test(b.path)) || a.path.split('{').length - b.path.split('{').length);
  });
  afterAll(() => api?.close());
  // Each test reports its own findings.
  beforeEach(() => {
    fiveHundreds.length = 0;
    appendedByRefusals.length = 0;
  });

  /** A body the schema describes: its examples where it gives them, plain values otherwise. */
  const exampleOf = (schema: Schema): unknown => exampleIn(document, schema);

  function concretePath(op: Operation, override?: Readonly<Record<string, string>>): string {
    return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      if (override?.[name] !== undefined) return override[name];
      if (name === 'name') return 'customer-timeline';
      const collection = op.path.split('/')[1];
      return encodeURIComponent((name === 'id' || name === 'sku' || name === 'visitorId' || name === 'formKey' ? created.get(collection) : undefined) ?? `fuzz-${name}`);
    });
  }

  function send(op: Operation, role: Role | null, options: { path?: string; body?: string | object; query?: string; contentType?: string } = {}): Test {
    const path = (options.path ?? concretePath(op)) + (options.query ? `?${options.query}` : '');
    let request = api.http[op.method](path);
    if (role !== null) request = request.auth(api.keys[role], { type: 'bearer' });
    if (options.body === undefined) return request;
    return request.set('Content-Type', options.contentType ?? 'application/json').send(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  }

  /** The role the route admits (null: public), found by asking with each key in turn. */
  async function roleOf(op: Operation): Promise<Role | null> {
    const key = `${op.method} ${op.path}`;
    if (!roles.has(key)) {
      let admitted: Role | null = null;
      if (op.security !== undefined) {
        for (const role of ROLES) {
          const { status } = await send(op, role, { body: op.requestBody ? {} : undefined });
          if (status !== 403) {
            admitted = role;
            break;
          }
        }
      }
      roles.set(key, admitted);
    }
    return roles.get(key) ?? null;
  }

  /** Sends it; a 5xx is recorded, and so is a refused request that appended anything. */
  async function probe(label: string, request: () => Test): Promise<number> {
    const before = await eventCount(api);
    const response = await request();
    if (response.status >= 500) fiveHundreds.push(`${label}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
    if (response.status >= 400 && (await eventCount(api)) !== before) appendedByRefusals.push(`${label}: ${response.status}`);
    return response.status;
  }

  it('sends a valid body to each command route first, so the rest finds what they act on', async () => {
    let accepted = 0;
    for (const op of operations.filter((o) => o.method !== 'get' && o.method !== 'delete' && !LAST.test(o.path))) {
      const role = await roleOf(op);
      const schema = op.requestBody?.content['application/json']?.schema;
      const body = schema ? (exampleOf(schema) as Record<string, unknown>) : undefined;
      const response = await send(op, role, { body });
      if (response.status >= 500) fiveHundreds.push(`valid ${op.method} ${op.path}: ${response.status}`);
      if (response.status < 300) accepted++;
      const collection = op.path.split('/')[1];
      const id = [response.body?.customerId, response.body?.repId, response.body?.sku, response.body?.campaignId, response.body?.visitorId, response.body?.key, response.body?.id].find(
        (value) => typeof value === 'string',
      );
      if (!op.path.includes('{') && id !== undefined && !created.has(collection)) created.set(collection, id);
    }
    expect(fiveHundreds).toEqual([]);
    // The examples in the document are meant to be sendable: most of them are accepted as they are.
    expect(accepted).toBeGreaterThan(20);
    expect([...created.keys()].sort()).toEqual(expect.arrayContaining(['campaigns', 'customers', 'forms', 'products', 'reps']));
  });

  it('never answers 5xx to a hostile body, and appends nothing for a refused one', async () => {
    const next = random(SEED);
    let sent = 0;
    for (const op of operations.filter((o) => o.requestBody !== undefined)) {
      const role = await roleOf(op);
      const schema = op.requestBody?.content['application/json']?.schema as Schema;
      const valid = exampleOf(schema) as Record<string, unknown>;
      for (const body of hostileBodies(valid, next)) {
        sent++;
        await probe(`${op.method} ${op.path} ${JSON.stringify(body).slice(0, 120)}`, () => send(op, role, { body }));
      }
      if (op.requestBody?.content['application/x-www-form-urlencoded']) {
        for (const form of ['email=a%40example.com&name=x%00y', 'email=%ED%A0%80%40example.com', '__proto__=1&email=b%40example.com', 'a[b][c]=1', '%', 'email=' + 'x'.repeat(20_000)]) {
          sent++;
          await probe(`${op.method} ${op.path} form ${form.slice(0, 60)}`, () => send(op, role, { body: form, contentType: 'application/x-www-form-urlencoded' }));
        }
      }
    }
    expect({ fiveHundreds, appendedByRefusals }).toEqual({ fiveHundreds: [], appendedByRefusals: [] });
    expect(sent).toBeGreaterThan(500);
  });

  it('never answers 5xx to a hostile query or path parameter', async () => {
    let sent = 0;
    for (const op of operations) {
      const role = await roleOf(op);
      const parameters = op.parameters ?? [];
      // Commands are sent without their body here: only the parameters are at stake.
      for (const { name } of parameters.filter((p) => p.in === 'query')) {
        for (const value of HOSTILE_QUERY_VALUES) {
          sent++;
          await probe(`${op.method} ${op.path}?${name}=${value.slice(0, 40)}`, () => send(op, role, { query: `${name}=${value}` }));
        }
        sent++;
        await probe(`${op.method} ${op.path}?${name} repeated`, () => send(op, role, { query: `${name}=a&${name}=b` }));
      }
      for (const { name } of parameters.filter((p) => p.in === 'path')) {
        for (const value of ['x%00y', '%ED%A0%80', '..%2F..%2Fetc', 'a'.repeat(2_000), '%E2%80%AE']) {
          sent++;
          await probe(`${op.method} ${op.path} {${name}}=${value.slice(0, 40)}`, () => send(op, role, { path: concretePath(op, { [name]: value }) }));
        }
      }
      if (op.method === 'get' && parameters.some((p) => p.name === 'X-Consistent-With')) {
        sent++;
        await probe(`${op.method} ${op.path} X-Consistent-With garbage`, () => send(op, role).set('X-Consistent-With', 'yesterday'));
      }
    }
    expect(fiveHundreds).toEqual([]);
    expect(sent).toBeGreaterThan(300);
  });

  it('leaves every projection running and caught up with the log', async () => {
    const projections = await expectProjectionsCaughtUp(api);
    expect(projections.length).toBeGreaterThanOrEqual(8);
  });
});
