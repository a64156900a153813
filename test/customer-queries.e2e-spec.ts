import type pg from 'pg';
import type { Role } from '#auth';
import { PROBLEM_TYPES } from '#http';
import { projectionSchema } from '#read-model-engine';
import { PG_POOL } from '#providers';
import { CUSTOMER_DIRECTORY, customerDirectoryProjection } from '#projections/customer-directory';
import { newId, PROBLEM_JSON } from '#testing';
import { startTestApi, type TestApi } from './support/api.js';
import { bodies } from './support/customers.js';

type Body = Record<string, unknown>;

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Profile {
  customerId: string;
  name: string | null;
  email: string | null;
  stage: string;
  tags: string[];
  interactions: number;
  orders: number;
  revenueMinor: number;
  erased: boolean;
}
interface TimelineItem {
  eventId: string;
  type: string;
  summary: string;
  details: Body;
}

describe('customer queries (api + projector in one process)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ withProjector: true });
    // Both read models serve once they have applied a first command: tests may then run alone.
    const { id, position } = await register();
    await as('analyst').get(`/customers/${id}/timeline`).set('X-Consistent-With', position).expect(200);
    await as('analyst').get(`/customers/${id}`).set('X-Consistent-With', position).expect(200);
  });

  afterAll(async () => {
    await api?.close();
  });

  const as = (role: Role) => ({
    get: (path: string) => api.http.get(path).auth(api.keys[role], { type: 'bearer' }),
    post: (path: string) => api.http.post(path).auth(api.keys[role], { type: 'bearer' }),
  });

  /** Sends a command as the service; answers the log position it wrote. */
  async function command(path: string, body: Body = {}): Promise<string> {
    const response = await as('service').post(path).send(body);
    expect([200, 201]).toContain(response.status);
    return (response.body as { position: string }).position;
  }

  async function register(overrides: Body = {}): Promise<{ id: string; position: string }> {
    const id = newId();
    return { id, position: await command('/customers', { ...bodies.register(id), ...overrides }) };
  }

  /** Every page of a listing, following nextCursor. */
  async function readAll<T>(path: string, position: string, between?: () => Promise<void>): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const response = await as('analyst')
        .get(`${path}${cursor === null ? '' : `${separator}cursor=${encodeURIComponent(cursor)}`}`)
        .set('X-Consistent-With', position)
        .expect(200);
      const page = response.body as Page<T>;
      items.push(...page.items);
      cursor = page.nextCursor;
      await between?.();
    } while (cursor !== null);
    return items;
  }

  describe('read-your-writes', () => {
    it('a query sent with the position of a command always sees it', async () => {
      for (let i = 0; i < 8; i++) {
        const { id, position } = await register({ tags: [`ryw-${i}`] });
        const profile = await as('analyst').get(`/customers/${id}`).set('X-Consistent-With', position).expect(200);
        expect(profile.body).toMatchObject({ customerId: id, name: 'Ada Lovelace', tags: [`ryw-${i}`], interactions: 0 });

        const called = await command(`/customers/${id}/calls`, bodies.call());
        const timeline = await as('analyst').get(`/customers/${id}/timeline?consistentWith=${called}`).expect(200);
        expect((timeline.body as Page<TimelineItem>).items.map((item) => item.type).sort()).toEqual(['CallLogged', 'CustomerRegistered']);
        const listed = await as('analyst').get(`/customers?tag=ryw-${i}&consistentWith=${called}`).expect(200);
        expect((listed.body as Page<Profile>).items).toEqual([expect.objectContaining({ customerId: id, interactions: 1 })]);
      }
    });

    it('waits for both projections a client names through the header or the parameter, taking the later', async () => {
      const { id, position } = await register();
      const later = await command(`/customers/${id}/notes`, bodies.note());
      const response = await as('analyst').get(`/customers/${id}/timeline?consistentWith=${position}`).set('X-Consistent-With', later).expect(200);
      expect((response.body as Page<TimelineItem>).items[0]).toMatchObject({ type: 'NoteAdded', summary: 'Note: Prefers calls after 3 pm.' });
    });

    it('answers 503 with Retry-After when the read model does not reach the position in time', async () => {
      const response = await as('analyst').get('/customers').set('X-Consistent-With', '999999999999-0').expect(503);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.body).toMatchObject({ type: PROBLEM_TYPES.serviceUnavailable });
    });
  });

  describe('access', () => {
    let id: string;
    let position: string;
    beforeAll(async () => {
      ({ id, position } = await register());
    });

    const routes = () => [`/customers/${id}`, `/customers/${id}/timeline`, '/customers', '/customers/export.csv'];

    it.each<[Role, number]>([
      ['service', 403],
      ['auditor', 403],
      ['analyst', 200],
      ['admin', 200],
    ])('%s gets %d on every query route', async (role, status) => {
      for (const path of routes()) {
        const response = await as(role).get(path).set('X-Consistent-With', position);
        expect({ path, status: response.status }).toEqual({ path, status });
      }
    });

    it('refuses requests without a key', async () => {
      for (const path of routes()) await api.http.get(path).expect(401);
    });
  });

  describe('profile and timeline', () => {
    it('shows the profile folded from every command, and the timeline newest first with summaries', async () => {
      const { id } = await register();
      // Business times in the past: registering and converting (now) come first, newest first.
      await command(`/customers/${id}/calls`, { ...bodies.call(), occurredAt: '2021-03-01T09:00:00Z' });
      await command(`/customers/${id}/purchases`, { ...bodies.purchase(), purchasedAt: '2021-03-02T09:00:00Z' });
      await command(`/customers/${id}/refunds`, { ...bodies.refund(), refundedAt: '2021-03-03T09:00:00Z' });
      const last = await command(`/customers/${id}/convert`);

      const profile = await as('analyst').get(`/customers/${id}`).set('X-Consistent-With', last).expect(200);
      expect(profile.body).toMatchObject({ stage: 'customer', interactions: 1, orders: 1, revenueMinor: 3 * 1999 + 500 - 1999, revenueCurrency: 'EUR', erased: false });

      const timeline = await as('analyst').get(`/customers/${id}/timeline`).set('X-Consistent-With', last).expect(200);
      const items = (timeline.body as Page<TimelineItem>).items;
      expect(items.map((item) => item.summary)).toEqual([
        'Converted from lead to customer',
        'Registered as lead (API): Ada Lovelace, Analytical Engines Ltd',
        'Refund of order order-2026-0042: 1 item, EUR 19.99 (Damaged in transit)',
        'Purchase order-2026-0042: 4 items, EUR 64.97',
        'Outbound call, 7 min, follow up requested: Asked for a revised proposal by Friday.',
      ]);
      expect(items[2]).toEqual({
        eventId: expect.any(String),
        type: 'RefundRecorded',
        occurredAt: '2021-03-03T09:00:00.000Z',
        recordedAt: expect.any(String),
        actor: 'service:test-service',
        summary: expect.any(String),
        details: expect.objectContaining({ orderId: 'order-2026-0042' }),
      });

      const calls = await as('analyst').get(`/customers/${id}/timeline?types=CallLogged,PurchaseRecorded&from=2021-03-01T00:00:00Z&to=2021-03-02T09:00:00Z`).expect(200);
      expect((calls.body as Page<TimelineItem>).items.map((item) => item.type)).toEqual(['CallLogged']);
    });

    it('drops the personal data of an erased customer from both read models', async () => {
      const { id } = await register();
      await command(`/customers/${id}/notes`, bodies.note());
      const response = await as('admin').post(`/customers/${id}/erase`).send({ reason: 'GDPR request' }).expect(200);
      const erased = (response.body as { position: string }).position;

      const profile = await as('analyst').get(`/customers/${id}`).set('X-Consistent-With', erased).expect(200);
      expect(profile.body).toMatchObject({ name: null, email: null, phone: null, erased: true, company: null, tags: [] });
      const timeline = await as('analyst').get(`/customers/${id}/timeline`).set('X-Consistent-With', erased).expect(200);
      const text = JSON.stringify(timeline.body);
      expect(text).not.toMatch(/Ada|Lovelace|ada@example|7946|Babbage|Prefers calls/);
      expect((timeline.body as Page<TimelineItem>).items.map((item) => item.summary)).toEqual(['Personal data erased', 'Note added', expect.stringMatching(/^Registered as lead \(API\)/)]);
    });
  });

  describe('pages while commands keep coming', () => {
    it('lists every customer once, in order, while others register', async () => {
      const tag = `page-${newId()}`;
      let position = '';
      for (let i = 0; i < 24; i++) position = (await register({ tags: [tag], contact: { name: `Person ${String(i).padStart(2, '0')}` } })).position;
      const before = (await readAll<Profile>(`/customers?tag=${tag}&sort=name&order=asc&limit=100`, position)).map((item) => item.customerId);
      expect(before).toHaveLength(24);

      // Registrations run beside the paging, not between its requests only.
      let registering = true;
      const background = (async () => {
        for (let n = 0; registering; n++) await register({ tags: [tag], contact: { name: `Person ${n % 2 === 0 ? '00a' : '99'}-${n}` } });
      })();
      const seen = (await readAll<Profile>(`/customers?tag=${tag}&sort=name&order=asc&limit=5`, position, () => register({ tags: [tag], contact: { name: 'Person 11a' } }).then(() => undefined))).map(
        (item) => item.customerId,
      );
      registering = false;
      await background;

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((customerId) => before.includes(customerId))).toEqual(before);
    });

    it('lists a customer’s whole timeline once, in order, while events are added', async () => {
      const { id } = await register();
      let position = '';
      for (let i = 0; i < 15; i++) position = await command(`/customers/${id}/calls`, { ...bodies.call(), occurredAt: `2026-05-${String(i + 1).padStart(2, '0')}T10:00:00Z` });
      const before = (await readAll<TimelineItem>(`/customers/${id}/timeline?limit=100`, position)).map((item) => item.eventId);
      expect(before).toHaveLength(16);

      let logging = true;
      const background = (async () => {
        for (let n = 0; logging; n++) await command(`/customers/${id}/calls`, { ...bodies.call(), occurredAt: `2026-05-${String((n % 20) + 1).padStart(2, '0')}T10:00:00Z` });
      })();
      const seen = (await readAll<TimelineItem>(`/customers/${id}/timeline?limit=3`, position)).map((item) => item.eventId);
      logging = false;
      await background;

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((eventId) => before.includes(eventId))).toEqual(before);
    });
  });

  describe('CSV export', () => {
    it('streams a header and one escaped line per matching customer', async () => {
      const tag = `csv-${newId()}`;
      await register({ tags: [tag], contact: { name: 'Lovelace, "Ada"', email: 'ada@example.com', phone: '+44 20 7946 0000' } });
      await register({ tags: [tag], contact: { name: '=HYPERLINK("http://evil.example","x")' }, company: { name: 'Semi; colon, "Quoted" Ltd' } });
      const { position } = await register({ tags: [tag], contact: { name: '@SUM(1+1)' }, company: { name: '-minus' } });

      const response = await as('analyst').get(`/customers/export.csv?tag=${tag}&sort=name&order=asc`).set('X-Consistent-With', position).expect(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="customers-\d{4}-\d\d-\d\d\.csv"$/);
      const text = response.text;
      expect(text.startsWith('customer_id,name,email,phone,company,stage,owner_rep_id,region,industry,tags,')).toBe(true);
      const lines = text.split('\r\n');
      expect(lines.at(-1)).toBe('');
      expect(lines).toHaveLength(5);
      expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",`);
      expect(lines[1]).toContain(',"Semi; colon, ""Quoted"" Ltd",');
      expect(lines[2]).toContain(`,'@SUM(1+1),`);
      expect(lines[2]).toContain(`,'-minus,`);
      expect(lines[3]).toContain(`,"Lovelace, ""Ada""",ada@example.com,'+44 20 7946 0000,Analytical Engines Ltd,lead,`);
    });

    it('streams a large export to the end, in the requested order', async () => {
      const tag = `bulk-${newId()}`;
      const rows = 20_000;
      const { id, position } = await register({ tags: [tag] });
      // Seeded straight into the read model: 20,000 registrations through the api would take minutes.
      const pool = api.app.get<pg.Pool>(PG_POOL);
      await pool.query(
        `insert into ${projectionSchema(CUSTOMER_DIRECTORY, customerDirectoryProjection.version)}.customers
           (customer_id, revision, name, stage, tags, created_at, updated_at)
         select 'bulk-' || n, 0, 'Bulk ' || n, 'lead', array[$1], timestamptz '2020-01-01' + n * interval '1 second', now()
         from generate_series(1, $2::int) as n`,
        [tag, rows],
      );
      const response = await as('analyst').get(`/customers/export.csv?tag=${tag}&sort=createdAt&order=asc`).set('X-Consistent-With', position).expect(200);
      const lines = response.text.split('\r\n');
      expect(lines).toHaveLength(rows + 3);
      expect(lines[1].startsWith('bulk-1,Bulk 1,')).toBe(true);
      expect(lines[rows].startsWith(`bulk-${rows},Bulk ${rows},`)).toBe(true);
      expect(lines[rows + 1].startsWith(`${id},`)).toBe(true);
    });

    it('exports with the header only when nothing matches', async () => {
      const response = await as('admin').get(`/customers/export.csv?q=${newId()}`).expect(200);
      expect(response.text.split('\r\n')).toEqual([expect.stringMatching(/^customer_id,/), '']);
    });
  });

  describe('bad requests', () => {
    it('answers 404 for a customer the directory does not know', async () => {
      const response = await as('analyst').get(`/customers/${newId()}`).expect(404);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({ type: PROBLEM_TYPES.notFound });
    });

    it.each([
      ['/customers?limit=0', 'limit'],
      ['/customers?limit=abc', 'limit'],
      ['/customers?limit=501', 'limit'],
      ['/customers?sort=email', 'sort'],
      ['/customers?order=up', 'order'],
      ['/customers?stage=vip', 'stage'],
      ['/customers?ownerRepId=bad%20id', 'ownerRepId'],
      ['/customers?createdFrom=yesterday', 'createdFrom'],
      ['/customers?cursor=garbage', 'cursor'],
      ['/customers?q=a&q=b', 'q'],
      ['/customers?unknown=1', 'unknown'],
      ['/customers/export.csv?sort=nope', 'sort'],
      ['/customers/c-1/timeline?types=CallLogged,Bogus', 'types'],
      ['/customers/c-1/timeline?from=2026-13-01', 'from'],
      ['/customers/c-1/timeline?limit=201', 'limit'],
      ['/customers/c-1/timeline?cursor=Zm9v', 'cursor'],
      ['/customers/bad%20id', 'id'],
      ['/customers/bad%20id/timeline', 'id'],
    ])('%s: 400 naming %s', async (path, field) => {
      const response = await as('analyst').get(path).expect(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({ type: PROBLEM_TYPES.validationFailed });
      expect((response.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toContain(field);
    });

    it('refuses a cursor of another sort order', async () => {
      const tag = `sort-${newId()}`;
      await register({ tags: [tag] });
      const { position } = await register({ tags: [tag] });
      const first = await as('analyst').get(`/customers?tag=${tag}&limit=1&sort=name`).set('X-Consistent-With', position).expect(200);
      const cursor = encodeURIComponent((first.body as Page<Profile>).nextCursor ?? '');
      await as('analyst').get(`/customers?tag=${tag}&limit=1&sort=revenue&cursor=${cursor}`).expect(400);
    });

    it.each([
      ['the header', (path: string) => as('analyst').get(path).set('X-Consistent-With', 'yesterday')],
      ['the parameter', (path: string) => as('analyst').get(`${path}?consistentWith=12`)],
    ])('answers 400 for a malformed position in %s', async (_where, send) => {
      const response = await send('/customers').expect(400);
      expect(response.body).toMatchObject({ type: PROBLEM_TYPES.invalidPosition });
    });
  });
});
