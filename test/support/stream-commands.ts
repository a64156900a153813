import type { Test } from 'supertest';
import { ApiKeyService, type Role } from '#auth';
import type { EventStore, RecordedEvent } from '#event-store';
import { PROBLEM_TYPES } from '#http';
import { EVENT_STORE } from '#providers';
import { BAD_IDS, expectAppendedEvent, expectProblem, newId, type Body, type ProblemExpectation } from '#testing';
import { startTestApi, type TestApi } from './api.js';

/**
 * Shared by the e2e specs of the contexts whose every command goes to one stream named by the id
 * in the path (products, campaigns, visitors): the route and rejection tables, a harness around
 * the real api (one per spec file) that sends commands and checks what reached the streams, and
 * the cross-cutting cases every route must pass (auth, malformed bodies, Idempotency-Key, OpenAPI).
 */

export interface StreamRoute {
  /** As in the controller: `PATCH /products/:sku`. */
  readonly name: string;
  readonly method: 'post' | 'patch';
  readonly path: (id: string) => string;
  /** The path in the OpenAPI document. */
  readonly openApiPath: string;
  readonly status: 200 | 201;
  /** The event type one successful command appends. */
  readonly event: string;
  /** A valid body for the stream of `id`. */
  readonly body: (id: string) => Body;
  /** The route starts the stream (or needs none before it): its target is an id not used yet. */
  readonly starts?: boolean;
}

/** What the harness knows of a context. */
export interface StreamContext {
  /** The property of a command's answer that names the stream's id: `sku`. */
  readonly idKey: string;
  /** The path parameter naming it: `sku`, `id`. */
  readonly pathParam: string;
  /** Fresh ids start with it: `SKU`. */
  readonly idPrefix: string;
  readonly streamOf: (id: string) => string;
  /** Starts the stream of `id` as the routes that do not start one need it (lists the product...). */
  readonly start?: (harness: StreamHarness, id: string) => Promise<void>;
  /** The reason of the 404 for an id of no stream. */
  readonly notFoundReason?: string;
  /** A final state (retired, ended) that every route but the starting one refuses with `reason`. */
  readonly final?: { readonly reason: string; readonly given: (harness: StreamHarness, id: string) => Promise<void> };
}

/** A request a route must refuse, appending nothing. */
export interface Rejection extends ProblemExpectation {
  readonly case: string;
  /** The body sent, from the route's valid one; a string is sent as raw JSON text. Default: the valid body. */
  readonly body?: (valid: Body, id: string) => unknown;
  /** The id to put in the path instead of the prepared one (a bad or unknown one). */
  readonly path?: string;
  /** Brings the prepared stream into the state that breaks the rule. */
  readonly given?: (harness: StreamHarness, id: string) => Promise<void>;
  /** The key's role; `null` sends no key. Default `service`. */
  readonly role?: Role | null;
}

export interface SendOptions {
  /** Default: the route's valid body. A string is sent as raw JSON text. */
  readonly body?: unknown;
  /** The key's role; `null` sends no key. Default `service`. */
  readonly role?: Role | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export class StreamHarness {
  readonly store: EventStore;

  private constructor(
    readonly api: TestApi,
    readonly context: StreamContext,
  ) {
    this.store = api.app.get<EventStore>(EVENT_STORE);
  }

  /** Starts the real api on a fresh database: once per spec file (beforeAll). */
  static async start(context: StreamContext): Promise<StreamHarness> {
    return new StreamHarness(await startTestApi(), context);
  }

  close(): Promise<void> {
    return this.api.close();
  }

  /** Requests with the test key of `role` as a Bearer token. */
  authed(role: Role = 'service'): { post(path: string): Test; patch(path: string): Test } {
    const key = this.api.keys[role];
    const { http } = this.api;
    return { post: (path) => http.post(path).auth(key, { type: 'bearer' }), patch: (path) => http.patch(path).auth(key, { type: 'bearer' }) };
  }

  /** The API key id of the test key of `role` (what command ids derive from). */
  async keyId(role: Role = 'service'): Promise<string> {
    const principal = await this.api.app.get(ApiKeyService).authenticate(this.api.keys[role]);
    if (!principal) throw new Error(`the test ${role} key does not authenticate`);
    return principal.keyId;
  }

  /** The route's request for the stream of `id`. */
  send(route: StreamRoute, id: string, options: SendOptions = {}): Test {
    const path = route.path(id);
    const role = options.role === undefined ? 'service' : options.role;
    let request = role === null ? this.api.http[route.method](path) : this.authed(role)[route.method](path);
    for (const [name, value] of Object.entries(options.headers ?? {})) request = request.set(name, value);
    const body = 'body' in options ? options.body : route.body(id);
    if (typeof body === 'string') return request.set('Content-Type', 'application/json').send(body);
    return request.send(body as object);
  }

  newId(): string {
    return newId(this.context.idPrefix);
  }

  /** An id ready for the route: a fresh one for a route that starts its stream, a started stream's otherwise. */
  async target(route: StreamRoute): Promise<string> {
    const id = this.newId();
    if (!route.starts) await this.context.start?.(this, id);
    return id;
  }

  events(id: string): Promise<RecordedEvent[]> {
    return this.store.readStream(this.context.streamOf(id));
  }

  async types(id: string): Promise<string[]> {
    return (await this.events(id)).map((event) => event.type);
  }

  /** The revision of the stream of `id`; `null` when it does not exist. */
  revision(id: string): Promise<number | null> {
    return this.store.streamRevision(this.context.streamOf(id));
  }

  /**
   * Sends the command, expects success: the route's status, `{<id>, revision, position}` one past
   * the stream's revision before, and exactly one event of the route's type at that revision and
   * position. Returns the event.
   */
  async expectAppended(route: StreamRoute, id: string, options: SendOptions = {}): Promise<RecordedEvent> {
    const { event } = await expectAppendedEvent(this.store, this.context.streamOf(id), () => this.send(route, id, options), {
      status: route.status,
      idKey: this.context.idKey,
      id,
      event: route.event,
    });
    return event;
  }

  /**
   * Prepares an id for the route, brings its stream into the case's state, sends the case's
   * request and expects its problem+json refusal; then that neither the prepared stream nor the
   * one the path names moved.
   */
  async expectRejected(route: StreamRoute, rejection: Rejection): Promise<{ body: Record<string, unknown> }> {
    const prepared = await this.target(route);
    await rejection.given?.(this, prepared);
    const id = rejection.path ?? prepared;
    const revisions = () => Promise.all([this.revision(prepared), this.revision(id)]);
    const before = await revisions();

    const valid = route.body(prepared);
    const response = await this.send(route, id, { role: rejection.role, body: rejection.body ? rejection.body(valid, prepared) : valid });

    const problem = expectProblem(response, rejection);
    expect(await revisions()).toEqual(before);
    return { body: problem };
  }
}

/**
 * The route's own `specific` cases plus those every route of the context shares: an unknown field,
 * a bad id in the path, and for routes on a started stream an unknown id (404) and the final state.
 */
export function rejections(context: StreamContext, route: StreamRoute, specific: readonly Rejection[]): Rejection[] {
  const common: Rejection[] = [{ case: 'an unknown field', body: (valid) => ({ ...valid, colour: 'red' }), status: 400, field: 'colour' }];
  if (route.name.includes(':')) {
    for (const [what, bad] of BAD_IDS) common.push({ case: `an id ${what} in the path`, path: bad, status: 400, field: context.pathParam });
  }
  if (!route.starts && context.notFoundReason !== undefined) {
    common.push({ case: 'an unknown id', path: `no-such-${context.idPrefix}`, status: 404, reason: context.notFoundReason });
  }
  if (!route.starts && context.final !== undefined) common.push({ case: 'a stream in its final state', given: context.final.given, status: 422, reason: context.final.reason });
  return [...common, ...specific];
}

interface OpenApiOperation {
  readonly security?: unknown;
  readonly responses: Record<string, unknown>;
}

/**
 * What every command route must do whatever its body: want a key of role service or admin, name
 * the key as the actor, refuse malformed and non-object bodies, replay a retry with the same
 * Idempotency-Key (appending once) and refuse the key for another body; and be documented.
 */
export function describeCrossCutting(harness: () => StreamHarness, routes: readonly StreamRoute[]): void {
  describe.each(routes.map((route) => [route.name, route] as const))('%s: cross-cutting', (_, route) => {
    it('wants an API key (401) before looking at the body, and a role that may send commands (403)', async () => {
      const h = harness();
      const { body } = await h.expectRejected(route, { case: 'no key', role: null, body: () => ({ colour: 'red' }), status: 401 });
      expect(body.detail).toBe('send an API key: Authorization: Bearer <api key>');
      for (const role of ['analyst', 'auditor'] as const) {
        const { body: forbidden } = await h.expectRejected(route, { case: role, role, body: () => ({ colour: 'red' }), status: 403 });
        expect(forbidden.detail).toBe(`this route needs a key with role service or admin; this key has role ${role}`);
      }
    });

    it('accepts an admin key, naming it as the actor', async () => {
      const h = harness();
      const event = await h.expectAppended(route, await h.target(route), { role: 'admin' });
      expect(event.metadata.actor).toBe('admin:test-admin');
    });

    it('refuses malformed JSON and a body that is not an object with 400, appending nothing', async () => {
      const h = harness();
      await h.expectRejected(route, { case: 'malformed JSON', body: () => '{"name": ', status: 400, type: PROBLEM_TYPES.malformedJson });
      await h.expectRejected(route, { case: 'array body', body: (valid) => [valid], status: 400, field: 'body' });
    });

    it('answers a retry with the same Idempotency-Key with the first response, appending once; another body under the key is a 422', async () => {
      const h = harness();
      const id = await h.target(route);
      const before = (await h.revision(id)) ?? -1;
      const headers = { 'Idempotency-Key': `retry-${id}` };
      const first = await h.send(route, id, { headers }).expect(route.status);
      const retry = await h.send(route, id, { headers }).expect(route.status).expect('Idempotent-Replayed', 'true');
      expect(retry.body).toEqual(first.body);
      expect(await h.revision(id)).toBe(before + 1);
      const other = await h.send(route, id, { headers, body: { ...route.body(id), colour: 'red' } }).expect(422);
      expect(other.body.type).toBe(PROBLEM_TYPES.idempotencyKeyReused);
      expect(await h.revision(id)).toBe(before + 1);
    });
  });

  it('documents every route in the OpenAPI document, secured, with its refusals', async () => {
    const document = (await harness().api.http.get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, OpenApiOperation>> };
    for (const route of routes) {
      const operation = document.paths[route.openApiPath]?.[route.method];
      expect([route.name, operation?.security]).toEqual([route.name, [{ 'api-key': [] }]]);
      const expected = ['400', '401', '403', '409', '422', ...(route.starts ? [] : ['404'])];
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(expected));
    }
  });
}
