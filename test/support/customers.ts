import type { Test } from 'supertest';
import type { Role } from '#auth';
import type { EventStore, RecordedEvent } from '#event-store';
import { EVENT_STORE } from '#providers';
import { BAD_IDS, expectAppendedEvent, expectProblem, newId, type Body, type ProblemExpectation } from '#testing';
import { startTestApi, type TestApi } from './api.js';

/**
 * Shared by the customer command e2e specs: one valid body per route, the route table, and a
 * harness around the real api (one per spec file) that sends commands and checks what reached
 * the customer's stream.
 */

// ---- valid bodies -------------------------------------------------------------------------------

export const ORDER_ID = 'order-2026-0042';
export const CONTRACT_ID = 'contract-7';

/** One valid body per route (fresh objects: tests may change them). */
export const bodies = {
  register: (customerId?: string): Body => ({
    ...(customerId === undefined ? {} : { customerId }),
    source: 'api',
    stage: 'lead',
    contact: {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 7946 0000',
      address: { street: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    },
    company: { name: 'Analytical Engines Ltd', department: 'Procurement', personInCharge: 'Charles Babbage', title: 'Head of Procurement' },
    demographics: { birthYear: 1985, ageBand: '35-44', industry: 'manufacturing', companySize: '51-200' },
    tags: ['trade-fair-2026', 'enterprise'],
  }),
  update: (): Body => ({ contact: { phone: '+44 20 7946 0999', email: null }, company: { department: 'Finance' }, tags: ['vip'] }),
  owner: (): Body => ({ repId: 'rep-42' }),
  call: (): Body => ({
    direction: 'outbound',
    durationSeconds: 420,
    outcome: 'follow_up_requested',
    repId: 'rep-17',
    summary: 'Asked for a revised proposal by Friday.',
    occurredAt: '2026-11-20T14:30:00Z',
  }),
  email: (): Body => ({
    direction: 'inbound',
    subject: 'Re: proposal for 2027',
    summary: 'Accepts the price, asks about delivery dates.',
    repId: 'rep-17',
    occurredAt: '2026-11-20T15:00:00+01:00',
  }),
  meeting: (): Body => ({
    kind: 'visit',
    location: 'Customer site, Frankfurt',
    durationMinutes: 45,
    repId: 'rep-17',
    summary: 'Demo of the reporting module.',
    occurredAt: '2026-11-21T09:00:00Z',
  }),
  click: (): Body => ({
    kind: 'ad',
    campaignId: 'campaign-spring-2026',
    adId: 'ad-42',
    url: 'https://shop.example.com/landing?utm_source=newsletter',
    utm: { source: 'newsletter', medium: 'email', campaign: 'spring-sale' },
    occurredAt: '2026-11-19T08:00:00Z',
  }),
  visit: (): Body => ({
    url: 'https://shop.example.com/pricing',
    referrer: 'https://www.example.org/',
    pageCount: 4,
    durationSeconds: 180,
    campaignId: 'campaign-spring-2026',
    occurredAt: '2026-11-19T08:05:00Z',
  }),
  formSubmission: (): Body => ({
    formId: 'contact-us',
    fields: { message: 'Please call me back', company: 'Analytical Engines Ltd' },
    campaignId: 'campaign-spring-2026',
    occurredAt: '2026-11-19T08:10:00Z',
  }),
  purchase: (orderId = ORDER_ID): Body => ({
    orderId,
    lines: [
      { productSku: 'SKU-1001', quantity: 3, unitPriceMinor: 1999, currency: 'eur' },
      { productSku: 'SKU-2002', quantity: 1, unitPriceMinor: 500, currency: 'EUR' },
    ],
    repId: 'rep-17',
    purchasedAt: '2026-11-22T10:00:00Z',
    specialInstructions: 'Deliver to the loading dock',
  }),
  refund: (orderId = ORDER_ID): Body => ({ orderId, lines: [{ lineNo: 1, quantity: 1 }], reason: 'Damaged in transit', refundedAt: '2026-11-23T10:00:00Z' }),
  contract: (contractId = CONTRACT_ID): Body => ({
    contractId,
    kind: 'own',
    title: 'Support and maintenance 2026',
    startsOn: '2026-01-01',
    endsOn: '2026-12-31',
    valueMinor: 1_200_000,
    currency: 'eur',
    terms: '12 months, renews unless cancelled 3 months ahead',
    followUpLeadDays: 60,
  }),
  revise: (): Body => ({ changes: { endsOn: '2027-06-30', valueMinor: 1_500_000, terms: null } }),
  terminate: (): Body => ({ terminatedOn: '2026-06-30', reason: 'Switched vendor' }),
  note: (): Body => ({ text: 'Prefers calls after 3 pm.', authorRepId: 'rep-17' }),
  attachment: (contractId?: string): Body => ({
    kind: 'proposal',
    fileName: 'proposal-2027.pdf',
    contentType: 'application/pdf',
    sizeBytes: 482_113,
    storageRef: 's3://crm-documents/2026/11/proposal-2027.pdf',
    ...(contractId === undefined ? {} : { contractId }),
  }),
};

// ---- routes -------------------------------------------------------------------------------------

/** The ids a command's path and body refer to. */
export interface Target {
  readonly customerId: string;
  readonly contractId?: string;
}

export interface CommandRoute {
  /** As in the controller: `POST /customers/:id/calls`. */
  readonly name: string;
  readonly method: 'post' | 'patch';
  readonly path: (target: Target) => string;
  /** The path in the OpenAPI document. */
  readonly openApiPath: string;
  readonly status: 200 | 201;
  /** The event type one successful command appends. */
  readonly event: string;
  /** A valid body for `target`; `undefined`: the route takes none. */
  readonly body?: (target: Target) => Body;
  /** The request body's schema in the OpenAPI document. */
  readonly schema?: string;
  /** POST /customers: the target customer is one not registered yet. */
  readonly registers?: boolean;
  /** What the registered customer needs before the command can succeed (a purchase before a refund...). */
  readonly prepare?: (harness: CustomersHarness, customerId: string) => Promise<Partial<Target>>;
}

const segment = encodeURIComponent;
const onCustomer =
  (suffix = '') =>
  (target: Target) =>
    `/customers/${segment(target.customerId)}${suffix}`;
const onContract =
  (suffix = '') =>
  (target: Target) =>
    `/customers/${segment(target.customerId)}/contracts/${segment(target.contractId ?? CONTRACT_ID)}${suffix}`;

async function withContract(harness: CustomersHarness, customerId: string): Promise<Partial<Target>> {
  await harness.authed().post(`/customers/${customerId}/contracts`).send(bodies.contract(CONTRACT_ID)).expect(201);
  return { contractId: CONTRACT_ID };
}

export const ROUTES = {
  register: {
    name: 'POST /customers',
    method: 'post',
    path: () => '/customers',
    openApiPath: '/customers',
    status: 201,
    event: 'CustomerRegistered',
    body: (target) => bodies.register(target.customerId),
    schema: 'RegisterCustomerDto',
    registers: true,
  },
  update: {
    name: 'PATCH /customers/:id',
    method: 'patch',
    path: onCustomer(),
    openApiPath: '/customers/{id}',
    status: 200,
    event: 'ProfileUpdated',
    body: bodies.update,
    schema: 'UpdateProfileDto',
  },
  owner: {
    name: 'POST /customers/:id/owner',
    method: 'post',
    path: onCustomer('/owner'),
    openApiPath: '/customers/{id}/owner',
    status: 200,
    event: 'OwnerAssigned',
    body: bodies.owner,
    schema: 'AssignOwnerDto',
  },
  convert: {
    name: 'POST /customers/:id/convert',
    method: 'post',
    path: onCustomer('/convert'),
    openApiPath: '/customers/{id}/convert',
    status: 200,
    event: 'LeadConverted',
  },
  calls: {
    name: 'POST /customers/:id/calls',
    method: 'post',
    path: onCustomer('/calls'),
    openApiPath: '/customers/{id}/calls',
    status: 201,
    event: 'CallLogged',
    body: bodies.call,
    schema: 'LogCallDto',
  },
  emails: {
    name: 'POST /customers/:id/emails',
    method: 'post',
    path: onCustomer('/emails'),
    openApiPath: '/customers/{id}/emails',
    status: 201,
    event: 'EmailLogged',
    body: bodies.email,
    schema: 'LogEmailDto',
  },
  meetings: {
    name: 'POST /customers/:id/meetings',
    method: 'post',
    path: onCustomer('/meetings'),
    openApiPath: '/customers/{id}/meetings',
    status: 201,
    event: 'MeetingLogged',
    body: bodies.meeting,
    schema: 'LogMeetingDto',
  },
  clicks: {
    name: 'POST /customers/:id/clicks',
    method: 'post',
    path: onCustomer('/clicks'),
    openApiPath: '/customers/{id}/clicks',
    status: 201,
    event: 'LeadClickRecorded',
    body: bodies.click,
    schema: 'RecordClickDto',
  },
  visits: {
    name: 'POST /customers/:id/visits',
    method: 'post',
    path: onCustomer('/visits'),
    openApiPath: '/customers/{id}/visits',
    status: 201,
    event: 'SiteVisitRecorded',
    body: bodies.visit,
    schema: 'RecordSiteVisitDto',
  },
  formSubmissions: {
    name: 'POST /customers/:id/form-submissions',
    method: 'post',
    path: onCustomer('/form-submissions'),
    openApiPath: '/customers/{id}/form-submissions',
    status: 201,
    event: 'FormSubmissionRecorded',
    body: bodies.formSubmission,
    schema: 'RecordFormSubmissionDto',
  },
  purchases: {
    name: 'POST /customers/:id/purchases',
    method: 'post',
    path: onCustomer('/purchases'),
    openApiPath: '/customers/{id}/purchases',
    status: 201,
    event: 'PurchaseRecorded',
    body: () => bodies.purchase(),
    schema: 'RecordPurchaseDto',
  },
  refunds: {
    name: 'POST /customers/:id/refunds',
    method: 'post',
    path: onCustomer('/refunds'),
    openApiPath: '/customers/{id}/refunds',
    status: 201,
    event: 'RefundRecorded',
    body: () => bodies.refund(),
    schema: 'RecordRefundDto',
    prepare: async (harness, customerId) => {
      await harness.authed().post(`/customers/${customerId}/purchases`).send(bodies.purchase(ORDER_ID)).expect(201);
      return {};
    },
  },
  contracts: {
    name: 'POST /customers/:id/contracts',
    method: 'post',
    path: onCustomer('/contracts'),
    openApiPath: '/customers/{id}/contracts',
    status: 201,
    event: 'ContractRecorded',
    body: () => bodies.contract(),
    schema: 'RecordContractDto',
  },
  reviseContract: {
    name: 'PATCH /customers/:id/contracts/:contractId',
    method: 'patch',
    path: onContract(),
    openApiPath: '/customers/{id}/contracts/{contractId}',
    status: 200,
    event: 'ContractRevised',
    body: bodies.revise,
    schema: 'ReviseContractDto',
    prepare: withContract,
  },
  terminateContract: {
    name: 'POST /customers/:id/contracts/:contractId/terminate',
    method: 'post',
    path: onContract('/terminate'),
    openApiPath: '/customers/{id}/contracts/{contractId}/terminate',
    status: 200,
    event: 'ContractTerminated',
    body: bodies.terminate,
    schema: 'TerminateContractDto',
    prepare: withContract,
  },
  notes: {
    name: 'POST /customers/:id/notes',
    method: 'post',
    path: onCustomer('/notes'),
    openApiPath: '/customers/{id}/notes',
    status: 201,
    event: 'NoteAdded',
    body: bodies.note,
    schema: 'AddNoteDto',
  },
  attachments: {
    name: 'POST /customers/:id/attachments',
    method: 'post',
    path: onCustomer('/attachments'),
    openApiPath: '/customers/{id}/attachments',
    status: 201,
    event: 'DocumentAttached',
    body: () => bodies.attachment(),
    schema: 'AttachDocumentDto',
  },
} as const satisfies Record<string, CommandRoute>;

export const ALL_ROUTES: readonly CommandRoute[] = Object.values(ROUTES);

// ---- rejections ---------------------------------------------------------------------------------

/** A request a route must refuse, appending nothing. */
export interface Rejection extends ProblemExpectation {
  readonly case: string;
  /** The body sent, from the route's valid one; a string is sent as raw JSON text. Default: the valid body. */
  readonly body?: (valid: Body, target: Target) => unknown;
  /** Ids to put in the path instead of the prepared customer's (bad or unknown ones). */
  readonly path?: Partial<Target>;
  /** Brings the customer into the state that breaks the rule (runs after `prepare`); may name another target. */
  readonly given?: (harness: CustomersHarness, target: Target) => Promise<Partial<Target> | void>;
  /** The key's role; `null` sends no key. Default `service`. */
  readonly role?: Role | null;
}

/**
 * The route's own `specific` cases plus those every route shares: an unknown field in the body,
 * bad ids in the path, an unknown customer (and an unknown contract where the path names one).
 */
export function rejections(route: CommandRoute, specific: readonly Rejection[]): Rejection[] {
  const common: Rejection[] = [];
  if (route.body) common.push({ case: 'an unknown field', body: (valid) => ({ ...valid, colour: 'red' }), status: 400, field: 'colour' });
  if (!route.registers) {
    for (const [what, id] of BAD_IDS) common.push({ case: `a customer id ${what} in the path`, path: { customerId: id }, status: 400, field: 'id' });
    common.push({ case: 'an unknown customer', path: { customerId: 'no-such-customer' }, status: 404, reason: 'customer_not_found' });
  }
  if (route.openApiPath.includes('{contractId}')) {
    for (const [what, id] of BAD_IDS) common.push({ case: `a contract id ${what} in the path`, path: { contractId: id }, status: 400, field: 'contractId' });
    common.push({ case: 'an unknown contract', path: { contractId: 'no-such-contract' }, status: 404, reason: 'contract_not_found' });
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

export interface Authed {
  post(path: string): Test;
  patch(path: string): Test;
  get(path: string): Test;
  delete(path: string): Test;
}

export class CustomersHarness {
  readonly store: EventStore;
  private readonly shared = new Map<string, Promise<Target>>();

  private constructor(readonly api: TestApi) {
    this.store = api.app.get<EventStore>(EVENT_STORE);
  }

  /** Starts the real api on a fresh database: once per spec file (beforeAll). */
  static async start(): Promise<CustomersHarness> {
    return new CustomersHarness(await startTestApi());
  }

  close(): Promise<void> {
    return this.api.close();
  }

  /** Requests with the test key of `role` as a Bearer token. */
  authed(role: Role = 'service'): Authed {
    const key = this.api.keys[role];
    const { http } = this.api;
    return {
      post: (path) => http.post(path).auth(key, { type: 'bearer' }),
      patch: (path) => http.patch(path).auth(key, { type: 'bearer' }),
      get: (path) => http.get(path).auth(key, { type: 'bearer' }),
      delete: (path) => http.delete(path).auth(key, { type: 'bearer' }),
    };
  }

  /** The route's request for `target`. */
  send(route: CommandRoute, target: Target, options: SendOptions = {}): Test {
    const path = route.path(target);
    const role = options.role === undefined ? 'service' : options.role;
    let request = role === null ? this.api.http[route.method](path) : this.authed(role)[route.method](path);
    for (const [name, value] of Object.entries(options.headers ?? {})) request = request.set(name, value);
    const body = 'body' in options ? options.body : route.body?.(target);
    if (body === undefined) return request;
    if (typeof body === 'string') return request.set('Content-Type', 'application/json').send(body);
    return request.send(body as object);
  }

  /** Registers a customer (the valid registration body by default); its id. */
  async register(body: Body = bodies.register(newId())): Promise<string> {
    const response = await this.authed().post('/customers').send(body).expect(201);
    return response.body.customerId as string;
  }

  /** A customer ready for the route: registered (unless the route registers) and prepared. */
  async target(route: CommandRoute): Promise<Target> {
    if (route.registers) return { customerId: newId() };
    const customerId = await this.register();
    return { customerId, ...(await route.prepare?.(this, customerId)) };
  }

  /**
   * One prepared customer per route for the rejections that need no state of their own: a refused
   * command appends nothing (each case checks it), so they can share it.
   */
  sharedTarget(route: CommandRoute): Promise<Target> {
    let target = this.shared.get(route.name);
    if (target === undefined) this.shared.set(route.name, (target = this.target(route)));
    return target;
  }

  events(customerId: string): Promise<RecordedEvent[]> {
    return this.store.readStream(`customer-${customerId}`);
  }

  /** The revision of the customer's stream; `null` when it does not exist. */
  revision(customerId: string): Promise<number | null> {
    return this.store.streamRevision(`customer-${customerId}`);
  }

  /**
   * Sends the command, expects success: the route's status, `{customerId, revision, position}` one
   * past the stream's revision before, and exactly one event of the route's type at that revision
   * and position. Returns the event (decrypted, as the app reads it).
   */
  async expectAppended(route: CommandRoute, target: Target, options: SendOptions = {}): Promise<RecordedEvent> {
    const { event, response } = await expectAppendedEvent(this.store, `customer-${target.customerId}`, () => this.send(route, target, options), {
      status: route.status,
      idKey: 'customerId',
      id: target.customerId,
      event: route.event,
    });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    return event;
  }

  /**
   * Prepares a customer for the route (a fresh one when the case has a state to set up, the route's
   * shared one otherwise), brings it into the case's state, sends the case's request,
   * and expects its problem+json refusal; then that neither the prepared customer's stream nor the
   * one the path names moved.
   */
  async expectRejected(route: CommandRoute, rejection: Rejection): Promise<{ body: Record<string, unknown> }> {
    const initial = rejection.given ? await this.target(route) : await this.sharedTarget(route);
    const prepared: Target = { ...initial, ...(await rejection.given?.(this, initial)) };
    const target = { ...prepared, ...rejection.path };
    const revisions = () => Promise.all([this.revision(prepared.customerId), this.revision(target.customerId)]);
    const before = await revisions();

    const valid = route.body?.(prepared) ?? {};
    const options: SendOptions = { role: rejection.role, ...(rejection.body ? { body: rejection.body(valid, prepared) } : {}) };
    const response = await this.send(route, target, options);

    const body = expectProblem(response, rejection);
    if (rejection.status === 422 && rejection.field !== undefined) expect(body.errors).toEqual([{ field: rejection.field, message: body.detail }]);
    expect(await revisions()).toEqual(before);
    return { body };
  }
}
