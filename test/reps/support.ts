import type { Test } from 'supertest';
import type { Role } from '#auth';
import { repStream } from '#sales/domain';
import { serializePosition, type EventStore, type RecordedEvent } from '#event-store';
import { EVENT_STORE } from '#providers';
import { startTestApi, type TestApi } from '../support/api.js';
import { expectProblem, newId, POSITION, type ProblemExpectation } from '#testing';

/**
 * Shared by the rep command e2e specs: one valid body per route, the route table, and a harness
 * around the real api (one per spec file) that sends commands and checks what reached the rep
 * streams.
 */

type Body = Record<string, unknown>;

export const TASK_ID = 'task-4711';
export const PLAN_ID = 'plan-2026';

/** A calendar date `days` from today (UTC), as the server sees it. */
export function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** One valid body per route (fresh objects: tests may change them). */
export const bodies = {
  onboard: (repId?: string): Body => ({
    ...(repId === undefined ? {} : { repId }),
    name: 'Grace Hopper',
    email: 'grace.hopper@example.com',
    team: 'Enterprise',
    region: 'EMEA',
    startDate: '2026-01-05',
  }),
  deactivate: (): Body => ({ reason: 'Left the company' }),
  plan: (): Body => ({
    planId: PLAN_ID,
    effectiveFrom: daysFromToday(1),
    baseRateBps: 500,
    categoryRates: [{ category: 'hardware', rateBps: 800 }],
    tiers: [
      { thresholdMinor: 1_000_000, rateBps: 900 },
      { thresholdMinor: 5_000_000, rateBps: 1000 },
    ],
    tierPeriod: 'quarter',
    currency: 'eur',
  }),
  goal: (): Body => ({ period: 'month', periodStart: '2026-07-01', revenueMinor: 5_000_000, currency: 'eur', deals: 12, calls: 300 }),
  task: (taskId = TASK_ID): Body => ({ taskId, kind: 'call', title: 'Call about the renewal', customerId: 'cust-1', dueOn: '2026-07-15', origin: 'contract-follow-up' }),
  complete: (): Body => ({ outcome: 'Renewed for two years' }),
  reassign: (toRepId: string): Body => ({ toRepId, reason: 'On holiday until the due date' }),
};

// ---- routes -------------------------------------------------------------------------------------

/** The ids a command's path and body refer to. */
export interface Target {
  readonly repId: string;
  readonly taskId?: string;
  /** The rep a task is reassigned to. */
  readonly toRepId?: string;
}

export interface RepRoute {
  /** As in the controller: `POST /reps/:id/goals`. */
  readonly name: string;
  readonly path: (target: Target) => string;
  readonly status: 200 | 201;
  /** The event type one successful command appends to the rep's stream. */
  readonly event: string;
  readonly body: (target: Target) => Body;
  /** POST /reps: the target rep is one not onboarded yet. */
  readonly onboards?: boolean;
  /** What the onboarded rep needs before the command can succeed (a task before completing it...). */
  readonly prepare?: (harness: RepsHarness, repId: string) => Promise<Partial<Target>>;
}

const segment = encodeURIComponent;
const onRep =
  (suffix = '') =>
  (target: Target) =>
    `/reps/${segment(target.repId)}${suffix}`;
const onTask = (suffix: string) => (target: Target) => `/reps/${segment(target.repId)}/tasks/${segment(target.taskId ?? TASK_ID)}${suffix}`;

async function withTask(harness: RepsHarness, repId: string): Promise<Partial<Target>> {
  await harness.authed().post(`/reps/${repId}/tasks`).send(bodies.task()).expect(201);
  return { taskId: TASK_ID };
}

export const ROUTES = {
  onboard: {
    name: 'POST /reps',
    path: () => '/reps',
    status: 201,
    event: 'RepOnboarded',
    body: (target) => bodies.onboard(target.repId),
    onboards: true,
  },
  deactivate: {
    name: 'POST /reps/:id/deactivate',
    path: onRep('/deactivate'),
    status: 200,
    event: 'RepDeactivated',
    body: bodies.deactivate,
  },
  plans: {
    name: 'POST /reps/:id/commission-plans',
    path: onRep('/commission-plans'),
    status: 201,
    event: 'CommissionPlanSet',
    body: bodies.plan,
  },
  goals: {
    name: 'POST /reps/:id/goals',
    path: onRep('/goals'),
    status: 201,
    event: 'GoalSet',
    body: bodies.goal,
  },
  tasks: {
    name: 'POST /reps/:id/tasks',
    path: onRep('/tasks'),
    status: 201,
    event: 'TaskAssigned',
    body: () => bodies.task(),
  },
  complete: {
    name: 'POST /reps/:id/tasks/:taskId/complete',
    path: onTask('/complete'),
    status: 200,
    event: 'TaskCompleted',
    body: bodies.complete,
    prepare: withTask,
  },
  reassign: {
    name: 'POST /reps/:id/tasks/:taskId/reassign',
    path: onTask('/reassign'),
    status: 200,
    event: 'TaskReassigned',
    body: (target) => bodies.reassign(target.toRepId ?? 'no-target-prepared'),
    prepare: async (harness, repId) => ({ ...(await withTask(harness, repId)), toRepId: await harness.onboard() }),
  },
} as const satisfies Record<string, RepRoute>;

export const ALL_ROUTES: readonly RepRoute[] = Object.values(ROUTES);

// ---- rejections ---------------------------------------------------------------------------------

/** A request a route must refuse, appending nothing. */
export interface Rejection extends ProblemExpectation {
  readonly case: string;
  /** The body sent, from the route's valid one; a string is sent as raw JSON text. Default: the valid body. */
  readonly body?: (valid: Body, target: Target) => unknown;
  /** Ids to put in the path instead of the prepared ones (bad or unknown ones). */
  readonly path?: Partial<Target>;
  /** Brings the rep into the state that breaks the rule (runs after `prepare`); may name other ids. */
  readonly given?: (harness: RepsHarness, target: Target) => Promise<Partial<Target> | void>;
  /** The key's role; `null` sends no key. Default `service`. */
  readonly role?: Role | null;
}

/**
 * The route's own `specific` cases plus those every route shares: an unknown field, a bad rep id
 * in the path, an unknown rep, a deactivated rep (and a bad or unknown task id where the path names one).
 */
export function rejections(route: RepRoute, specific: readonly Rejection[]): Rejection[] {
  const common: Rejection[] = [{ case: 'an unknown field', body: (valid) => ({ ...valid, colour: 'red' }), status: 400, field: 'colour' }];
  if (!route.onboards) {
    common.push(
      { case: 'a rep id that is not an id in the path', path: { repId: ' bad id' }, status: 400, field: 'id' },
      { case: 'an unknown rep', path: { repId: 'no-such-rep' }, status: 404, reason: 'rep_not_found' },
      {
        case: 'a deactivated rep',
        given: async (harness, target) => void (await harness.authed().post(`/reps/${target.repId}/deactivate`).send({}).expect(200)),
        status: 422,
        reason: 'rep_deactivated',
      },
    );
  }
  if (route.name.includes(':taskId')) {
    common.push(
      { case: 'a task id that is not an id in the path', path: { taskId: 'x'.repeat(100) }, status: 400, field: 'taskId' },
      { case: 'an unknown task', path: { taskId: 'no-such-task' }, status: 404, reason: 'task_not_found' },
    );
  }
  return [...common, ...specific];
}

// ---- the harness --------------------------------------------------------------------------------

export interface SendOptions {
  /** Default: the route's valid body for the target. A string is sent as raw JSON text. */
  readonly body?: unknown;
  /** The key's role; `null` sends no key. Default `service`. */
  readonly role?: Role | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export class RepsHarness {
  readonly store: EventStore;

  private constructor(readonly api: TestApi) {
    this.store = api.app.get<EventStore>(EVENT_STORE);
  }

  /** Starts the real api on a fresh database: once per spec file (beforeAll). */
  static async start(): Promise<RepsHarness> {
    return new RepsHarness(await startTestApi());
  }

  close(): Promise<void> {
    return this.api.close();
  }

  /** POST requests with the test key of `role` as a Bearer token. */
  authed(role: Role = 'service'): { post(path: string): Test } {
    const key = this.api.keys[role];
    return { post: (path) => this.api.http.post(path).auth(key, { type: 'bearer' }) };
  }

  /** The route's request for `target`. */
  send(route: RepRoute, target: Target, options: SendOptions = {}): Test {
    const path = route.path(target);
    const role = options.role === undefined ? 'service' : options.role;
    let request = role === null ? this.api.http.post(path) : this.authed(role).post(path);
    for (const [name, value] of Object.entries(options.headers ?? {})) request = request.set(name, value);
    const body = 'body' in options ? options.body : route.body(target);
    if (typeof body === 'string') return request.set('Content-Type', 'application/json').send(body);
    return request.send(body as object);
  }

  /** Onboards a rep (the valid body with a fresh id by default); its id. */
  async onboard(body: Body = bodies.onboard(newId('rep'))): Promise<string> {
    const response = await this.authed().post('/reps').send(body).expect(201);
    return response.body.repId as string;
  }

  /** A rep ready for the route: onboarded (unless the route onboards) and prepared. */
  async target(route: RepRoute): Promise<Target> {
    if (route.onboards) return { repId: newId('rep') };
    const repId = await this.onboard();
    return { repId, ...(await route.prepare?.(this, repId)) };
  }

  events(repId: string): Promise<RecordedEvent[]> {
    return this.store.readStream(repStream(repId));
  }

  async types(repId: string): Promise<string[]> {
    return (await this.events(repId)).map((event) => event.type);
  }

  /** The revision of the rep's stream; `null` when it does not exist. */
  revision(repId: string): Promise<number | null> {
    return this.store.streamRevision(repStream(repId));
  }

  /**
   * Sends the command, expects success: the route's status, `{repId, revision, position}` one past
   * the stream's revision before, and exactly one event of the route's type at that revision and
   * position. Returns the event.
   */
  async expectAppended(route: RepRoute, target: Target, options: SendOptions = {}): Promise<RecordedEvent> {
    const before = (await this.revision(target.repId)) ?? -1;
    const response = await this.send(route, target, options);
    expect({ status: response.status, body: response.body }).toEqual({
      status: route.status,
      body: { repId: target.repId, revision: before + 1, position: expect.stringMatching(POSITION) },
    });
    const appended = await this.store.readStream(repStream(target.repId), { fromRevision: before + 1 });
    expect(appended.map((event) => event.type)).toEqual([route.event]);
    const [event] = appended;
    expect({ revision: event.revision, position: serializePosition(event.position) }).toEqual({
      revision: response.body.revision,
      position: response.body.position,
    });
    return event;
  }

  /**
   * Prepares a fresh rep for the route, brings it into the case's state, sends the case's request
   * and expects its problem+json refusal; then that no stream involved (the rep's, the one the path
   * names, a reassignment's target) moved.
   */
  async expectRejected(route: RepRoute, rejection: Rejection): Promise<{ body: Record<string, unknown> }> {
    const initial = await this.target(route);
    const prepared: Target = { ...initial, ...(await rejection.given?.(this, initial)) };
    const target = { ...prepared, ...rejection.path };
    const valid = route.body(prepared);
    const body = rejection.body ? rejection.body(valid, prepared) : valid;
    const toRepId = typeof body === 'object' && body !== null && 'toRepId' in body && typeof body.toRepId === 'string' ? body.toRepId : undefined;
    const streams = [prepared.repId, target.repId, ...(toRepId === undefined ? [] : [toRepId])];
    const revisions = () => Promise.all(streams.map((repId) => this.revision(repId)));
    const before = await revisions();

    const response = await this.send(route, target, { role: rejection.role, body });

    const problem = expectProblem(response, rejection);
    expect(await revisions()).toEqual(before);
    return { body: problem };
  }
}
