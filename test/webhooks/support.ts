import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { parsePosition } from '#event-store';
import { borrowedPool } from '#postgres';
import { ReadConsistency, type ProjectionsTables } from '#read-model-engine';
import { PG_POOL } from '#providers';
import { WEBHOOK_DISPATCHER } from '#webhooks';
import { until } from '#testing';
import { startTestApi, type TestApi, type TestApiOptions } from '../support/api.js';

export { until };

/**
 * Shared by the webhook e2e specs: a local HTTP receiver whose answers each test scripts, and a
 * harness around the real api + worker (the dispatcher, the pump and the attempts run there).
 */

/** Test-sized attempts: three per round, 200 ms doubling to 800 ms apart, three seconds to answer (plenty on a busy machine). */
export const WEBHOOK_TEST_ENV = { WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_TIMEOUT_MS: '3000', WEBHOOK_BACKOFF_MS: '200', WEBHOOK_MAX_BACKOFF_MS: '800' };

/** The body of a delivery, as a receiver parses it. */
export interface DeliveredEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
  readonly data: Record<string, unknown>;
  readonly [field: string]: unknown;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly event: DeliveredEvent;
}

/** What the receiver answers: a status, now or once the promise settles; or `hang`, holding the request open. */
export type Answer = number | Promise<number> | 'hang';

/** A receiver on 127.0.0.1 recording every request, in arrival order. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** How to answer; `nth` counts the requests of the same event, from 1. */
  answer: (request: ReceivedRequest, nth: number) => Answer = () => 200;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(path = '/hooks'): Promise<Receiver> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as net.AddressInfo).port}${path}`);
    server.on('connection', (socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (request, response) => receiver.receive(request, response));
    return receiver;
  }

  /** The requests carrying event `eventId`. */
  of(eventId: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.event.id === eventId);
  }

  /** Event ids in the order they were received, each time it was. */
  get eventIds(): string[] {
    return this.requests.map((request) => request.event.id);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = { method: request.method ?? '', headers: request.headers, body, event: JSON.parse(body) as DeliveredEvent };
      this.requests.push(received);
      const answer = this.answer(received, this.of(received.event.id).length);
      if (answer === 'hang') return;
      void Promise.resolve(answer).then((status) => response.writeHead(status, { 'Content-Type': 'text/plain' }).end(String(status)));
    });
  }
}

/** A delivery as GET /webhooks/{id}/deliveries lists it. */
export interface DeliveryJson {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly streamId: string;
  readonly revision: number;
  readonly status: string;
  readonly attempts: { attempt: number; statusCode: number | null; error: string | null; outcome: string; durationMs: number; at: string }[];
  readonly [field: string]: unknown;
}

export interface CreatedWebhook {
  readonly id: string;
  readonly secret: string;
  readonly [field: string]: unknown;
}

/** The api with the worker, on webhook settings of test size (over `env`). */
export class WebhooksHarness {
  readonly db: Kysely<ProjectionsTables>;

  private constructor(readonly api: TestApi) {
    this.db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(api.app.get<pg.Pool>(PG_POOL)) }) });
  }

  static async start(options: TestApiOptions = {}): Promise<WebhooksHarness> {
    return new WebhooksHarness(await startTestApi({ withWorker: true, ...options, env: { ...WEBHOOK_TEST_ENV, ...options.env } }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.api.close();
  }

  /** Once the dispatcher has applied the log up to `position` (a command's answer). */
  async dispatched(position: string): Promise<void> {
    await new ReadConsistency(this.db, { timeoutMs: 30_000 }).waitFor([WEBHOOK_DISPATCHER], parsePosition(position));
  }

  get admin(): { Authorization: string } {
    return { Authorization: `Bearer ${this.api.keys.admin}` };
  }

  /** A subscription of `receiver` to every event type, or to `body`'s. */
  async subscribe(receiver: Receiver, body: Record<string, unknown> = {}): Promise<CreatedWebhook> {
    const response = await this.api.http.post('/webhooks').set(this.admin).send({ url: receiver.url, eventTypes: ['*'], ...body }).expect(201);
    return response.body as CreatedWebhook;
  }

  /** DELETE /webhooks/{id}: nothing more is sent to it (each test ends its own, so later tests' events reach no closed receiver). */
  async unsubscribe(subscriptionId: string): Promise<void> {
    await this.api.http.delete(`/webhooks/${subscriptionId}`).set(this.admin).expect(204);
  }

  /** Registers a customer; answers its id. */
  async register(customerId = `cust-${randomUUID()}`): Promise<string> {
    await this.service(`/customers`, { customerId, source: 'api', contact: { name: 'Ada Lovelace', email: 'ada@example.com' } });
    return customerId;
  }

  /** Adds a note to the customer's stream; answers the position written. */
  note(customerId: string, text = 'Prefers calls after 3 pm.'): Promise<string> {
    return this.service(`/customers/${customerId}/notes`, { text });
  }

  /** Logs a call on the customer's stream; answers the position written. */
  call(customerId: string): Promise<string> {
    return this.service(`/customers/${customerId}/calls`, { direction: 'outbound', durationSeconds: 60, outcome: 'interested', repId: 'rep-17' });
  }

  /** Every delivery of the subscription, newest first. */
  async deliveries(subscriptionId: string, query = ''): Promise<DeliveryJson[]> {
    const response = await this.api.http.get(`/webhooks/${subscriptionId}/deliveries?limit=500${query}`).set(this.admin).expect(200);
    return (response.body as { items: DeliveryJson[] }).items;
  }

  /** The subscription's delivery of event `eventId`, once the dispatcher recorded it. */
  async deliveryOf(subscriptionId: string, eventId: string): Promise<DeliveryJson> {
    return until(`the delivery of ${eventId}`, async () => (await this.deliveries(subscriptionId)).find((delivery) => delivery.eventId === eventId));
  }

  /** Waits until the subscription's deliveries are all in `status`, `count` of them; answers them, oldest first. */
  async settled(subscriptionId: string, count: number, status = 'delivered', timeoutMs?: number): Promise<DeliveryJson[]> {
    return until(
      `${count} ${status} deliveries`,
      async () => {
        const deliveries = await this.deliveries(subscriptionId);
        return deliveries.length === count && deliveries.every((delivery) => delivery.status === status) && deliveries.reverse();
      },
      timeoutMs,
    );
  }

  private async service(path: string, body: object): Promise<string> {
    const response = await this.api.http.post(path).set('Authorization', `Bearer ${this.api.keys.service}`).send(body).expect(201);
    return (response.body as { position: string }).position;
  }
}
