import type pg from 'pg';
import type { Test } from 'supertest';
import type { EventStore, RecordedEvent } from '#event-store';
import { EVENT_STORE, PG_POOL } from '#providers';
import { startTestApi, type TestApi, type TestApiOptions } from '../support/api.js';

/** Shared by the lead-capture e2e specs: the real api, its forms, its submission route and the whole log it wrote. */

export const PROBLEM_JSON = /^application\/problem\+json/;

export interface CreatedForm {
  readonly id: string;
  readonly key: string;
  readonly submitPath: string;
}

type Fields = Record<string, string | string[]>;

export class FormsHarness {
  private constructor(
    readonly api: TestApi,
    private readonly store: EventStore,
    private readonly pool: pg.Pool,
  ) {}

  /** The api; lead-capture settings come from `env` (e.g. LEAD_CAPTURE_RATE_LIMIT). */
  static async start(options: TestApiOptions = {}): Promise<FormsHarness> {
    const api = await startTestApi(options);
    return new FormsHarness(api, api.app.get<symbol, EventStore>(EVENT_STORE), api.app.get<symbol, pg.Pool>(PG_POOL));
  }

  close(): Promise<void> {
    return this.api.close();
  }

  /** A form created by an admin (with `body` over a minimal definition). */
  async createForm(body: Record<string, unknown> = {}): Promise<CreatedForm> {
    const response = await this.api.http
      .post('/forms')
      .set('Authorization', `Bearer ${this.api.keys.admin}`)
      .send({ name: 'Request a quote', ...body })
      .expect(201);
    return response.body as CreatedForm;
  }

  /** Posts a submission as JSON. */
  submitJson(form: Pick<CreatedForm, 'key'>, fields: Fields, headers: Record<string, string> = {}): Test {
    return this.api.http.post(`/forms/${form.key}/submissions`).set(headers).send(fields);
  }

  /** Posts a submission form-encoded, as a browser posts an HTML form. */
  submitForm(form: Pick<CreatedForm, 'key'>, fields: Fields | string, headers: Record<string, string> = {}): Test {
    return this.api.http.post(`/forms/${form.key}/submissions`).type('form').set(headers).send(fields);
  }

  /**
   * Every event in the log, stream by stream. Streams are listed from the PostgreSQL log's table
   * rather than read with readAll, which holds back events while any transaction on the server
   * runs (the projector's, here); each is then read, decrypted, through the store.
   */
  async log(): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<{ stream_id: string }>('select distinct stream_id from event_store.events order by stream_id');
    const streams = await Promise.all(rows.map((row) => this.store.readStream(row.stream_id)));
    return streams.flat();
  }

  /** The customers registered with this e-mail address (any case), with their streams. */
  async customersWith(email: string): Promise<{ customerId: string; events: RecordedEvent[] }[]> {
    const log = await this.log();
    const registered = log.filter(
      (event) => event.type === 'CustomerRegistered' && String((event.data.contact as { email?: unknown }).email).toLowerCase() === email.toLowerCase(),
    );
    return registered.map((event) => ({ customerId: String(event.data.customerId), events: log.filter((other) => other.streamId === event.streamId) }));
  }

  /** The one customer with this address, asserting there is exactly one. */
  async customerWith(email: string): Promise<{ customerId: string; events: RecordedEvent[] }> {
    const customers = await this.customersWith(email);
    expect(customers).toHaveLength(1);
    return customers[0];
  }

  /** Runs `act` and checks that the log has not grown meanwhile (counted in its table: see log()). */
  async expectNothingAppended(act: () => Promise<unknown>): Promise<void> {
    const count = async () => (await this.pool.query<{ n: string }>('select count(*) as n from event_store.events')).rows[0].n;
    const before = await count();
    await act();
    expect(await count()).toBe(before);
  }
}
