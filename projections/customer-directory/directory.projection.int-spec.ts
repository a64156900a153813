import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { CustomerEvent, CustomerRegisteredData } from '#customers/domain';
import { ERASED, type JsonObject, type RecordedEvent } from '#event-store';
import { ProblemException } from '#http';
import { borrowedPool, createPool } from '#postgres';
import { applyEvents, prepareProjectionTables, projectionSchema, type Projection } from '#read-model-engine';
import { createTestDatabase, recordedCustomerEvents, type TestDatabase } from '#testing';
import { CUSTOMER_DIRECTORY, customerDirectoryProjection, type DirectoryTables } from './directory.projection.js';
import { DIRECTORY_SORTS, DirectoryQueries, type CustomerProfile, type DirectoryFilters, type DirectoryOrder } from './directory.queries.js';

/** Events of one customer stream, numbered as the store would. */
const customer = (customerId: string) => recordedCustomerEvents(customerId, () => new Date('2026-03-01T00:00:00.000Z'));

const registered = (customerId: string, changes: Partial<CustomerRegisteredData> = {}): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: {
    customerId,
    stage: 'lead',
    source: 'api',
    contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000' },
    company: { name: 'Analytical Engines Ltd', personInCharge: 'Charles Babbage' },
    demographics: { region: 'London', industry: 'manufacturing' },
    tags: ['vip'],
    ownerRepId: 'rep-1',
    registeredAt: '2026-01-05T10:00:00.000Z',
    ...changes,
  },
});
const call = (occurredAt: string): CustomerEvent => ({
  type: 'CallLogged',
  data: { callId: randomUUID(), direction: 'outbound', durationSeconds: 60, outcome: 'connected', repId: 'rep-1', occurredAt },
});
const purchase = (orderId: string, totalMinor: number, currency = 'EUR', purchasedAt = '2026-01-20T10:00:00.000Z'): CustomerEvent => ({
  type: 'PurchaseRecorded',
  data: { orderId, lines: [{ lineNo: 1, productSku: 'SKU', quantity: 1, unitPriceMinor: totalMinor, currency }], currency, totalMinor, purchasedAt },
});

describe('customer directory projection', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<unknown>;
  let queries: DirectoryQueries;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    queries = new DirectoryQueries(db, await prepareProjectionTables(pool, customerDirectoryProjection));
  });

  afterAll(async () => {
    await db?.destroy();
    await pool?.end();
    await database?.drop();
  });

  const apply = (events: readonly RecordedEvent[], projection: Projection<DirectoryTables> = customerDirectoryProjection) =>
    db.transaction().execute((trx) => applyEvents(trx, projection, events));

  /** A full history, and the stream to continue it. */
  function history(id: string) {
    const next = customer(id);
    const events = [
      next(registered(id)),
      next({
        type: 'ProfileUpdated',
        data: { contact: { email: null, phone: '+44 20 7946 0999' }, company: { name: 'AE Holdings' }, demographics: { region: 'Berlin' }, tags: ['vip', 'fair-2026'], updatedAt: '2026-01-06T10:00:00.000Z' },
      }),
      next({ type: 'OwnerAssigned', data: { repId: 'rep-2', previousRepId: 'rep-1', assignedAt: '2026-01-07T10:00:00.000Z' } }),
      next(call('2026-01-10T10:00:00.000Z')),
      next(call('2026-01-08T10:00:00.000Z')),
      next({ type: 'EmailLogged', data: { emailId: 'e', direction: 'inbound', subject: 'Hi', occurredAt: '2026-01-09T10:00:00.000Z' } }),
      next(purchase('o-1', 5997)),
      next(purchase('o-2', 1000, 'EUR', '2026-01-05T10:00:00.000Z')),
      next({ type: 'RefundRecorded', data: { refundId: 'r', orderId: 'o-1', lines: [{ lineNo: 1, quantity: 1, amountMinor: 997 }], currency: 'EUR', totalMinor: 997, refundedAt: '2026-01-25T10:00:00.000Z' } }),
      next({ type: 'LeadConverted', data: { fromStage: 'lead', convertedAt: '2026-01-21T10:00:00.000Z' } }),
      next({ type: 'NoteAdded', data: { noteId: 'n', text: 'likes tea', addedAt: '2026-01-22T10:00:00.000Z' } }, new Date('2026-03-02T00:00:00.000Z')),
    ];
    return { events, next };
  }

  const expectedProfile = (id: string): CustomerProfile => ({
    customerId: id,
    name: 'Ada Lovelace',
    email: null,
    phone: '+44 20 7946 0999',
    company: 'AE Holdings',
    stage: 'customer',
    ownerRepId: 'rep-2',
    region: 'Berlin',
    industry: 'manufacturing',
    tags: ['vip', 'fair-2026'],
    createdAt: '2026-01-05T10:00:00.000Z',
    updatedAt: '2026-03-02T00:00:00.000Z',
    convertedAt: '2026-01-21T10:00:00.000Z',
    lastInteractionAt: '2026-01-20T10:00:00.000Z',
    interactions: 3,
    orders: 2,
    revenueMinor: 6000,
    revenueCurrency: 'EUR',
    erased: false,
  });

  it('folds a customer’s events into one row', async () => {
    const id = `c-${randomUUID()}`;
    await apply(history(id).events);
    expect(await queries.get(id)).toEqual(expectedProfile(id));
    expect(await queries.get('c-unknown')).toBeUndefined();
  });

  it('is idempotent: a replayed batch does not count twice', async () => {
    const id = `c-${randomUUID()}`;
    const { events } = history(id);
    await apply(events);
    await apply(events);
    await apply(events.slice(3, 8));
    expect(await queries.get(id)).toEqual(expectedProfile(id));
  });

  it('marks orders in more than one currency', async () => {
    const id = `c-${randomUUID()}`;
    const next = customer(id);
    await apply([next(registered(id)), next(purchase('o-1', 100, 'EUR')), next(purchase('o-2', 200, 'USD'))]);
    expect(await queries.get(id)).toMatchObject({ orders: 2, revenueMinor: 300, revenueCurrency: 'XXX' });
  });

  it('drops personal columns on erasure, as a rebuild after it would', async () => {
    const id = `c-${randomUUID()}`;
    const { events, next } = history(id);
    const erasedEvent = next({ type: 'CustomerErased', data: { erasedAt: '2026-02-01T00:00:00.000Z' } }, new Date('2026-03-03T00:00:00.000Z'));
    await apply([...events, erasedEvent]);
    const live = await queries.get(id);
    expect(live).toEqual({
      ...expectedProfile(id),
      ...{ name: null, email: null, phone: null, company: null, region: null, industry: null, tags: [] },
      erased: true,
      updatedAt: '2026-03-03T00:00:00.000Z',
    });

    // A rebuild reads personal fields as {"$erased": true}: they must not land as text.
    const rebuild = { ...customerDirectoryProjection, version: 99 };
    const rebuildQueries = new DirectoryQueries(db, await prepareProjectionTables(pool, rebuild));
    const erasedReads = [...events, erasedEvent].map((event) => {
      if (event.type === 'CustomerRegistered') {
        return { ...event, data: { ...event.data, contact: { name: ERASED, email: ERASED, phone: ERASED } } as JsonObject };
      }
      if (event.type === 'ProfileUpdated') return { ...event, data: { ...event.data, contact: { email: ERASED, phone: ERASED } } as JsonObject };
      return event;
    });
    await apply(erasedReads, rebuild);
    expect(await rebuildQueries.get(id)).toEqual(live);
  });

  describe('search', () => {
    const tag = `t-${randomUUID().slice(0, 8)}`;
    const people = [
      { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines', phone: '+44 20 7946 0001', stage: 'lead', region: 'London' },
      { name: 'Grace Hopper', email: 'grace@navy.example', company: 'US Navy', phone: '+1 202 555 0102', stage: 'customer', region: 'Washington' },
      { name: 'alan turing', email: 'alan@bletchley.example', company: 'GC&CS', phone: '+44 1908 640404', stage: 'prospect', region: 'London' },
      { name: 'Edsger Dijkstra', email: 'ewd@tue.example', company: '100%_Pure Algorithms', phone: '+31 40 247 9111', stage: 'customer', region: 'Eindhoven' },
      { name: 'Barbara Liskov', email: 'liskov@mit.example', company: 'MIT', phone: '+1 617 253 0000', stage: 'lead', region: 'Boston' },
    ];

    beforeAll(async () => {
      const events: RecordedEvent[] = [];
      people.forEach((person, i) => {
        const id = `s-${i}-${randomUUID()}`;
        const next = customer(id);
        events.push(
          next(
            registered(id, {
              stage: person.stage as CustomerRegisteredData['stage'],
              contact: { name: person.name, email: person.email, phone: person.phone },
              company: { name: person.company },
              demographics: { region: person.region },
              tags: i % 2 === 0 ? [tag, 'even'] : [tag],
              ownerRepId: `rep-${i % 2}`,
              registeredAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
            }),
          ),
        );
        for (let k = 0; k < i; k++) events.push(next(purchase(`o-${k}`, 100 * (i % 3))));
        if (i !== 2) events.push(next(call(new Date(Date.UTC(2026, 1, 10 - i)).toISOString())));
      });
      await apply(events);
    });

    const names = async (filters: DirectoryFilters, order: DirectoryOrder = { sort: 'name', order: 'asc' }) =>
      (await queries.search({ tag, ...filters }, { ...order, limit: 100 })).items.map((item) => item.name);

    it('finds a case-insensitive substring of name, e-mail, company or phone', async () => {
      expect(await names({ q: 'LOVE' })).toEqual(['Ada Lovelace']);
      expect(await names({ q: 'Turing' })).toEqual(['alan turing']);
      expect(await names({ q: 'navy.EXAMPLE' })).toEqual(['Grace Hopper']);
      expect(await names({ q: 'engines' })).toEqual(['Ada Lovelace']);
      expect(await names({ q: '555 01' })).toEqual(['Grace Hopper']);
      expect(await names({ q: '+44' })).toEqual(['Ada Lovelace', 'alan turing']);
      // LIKE wildcards in the query are literal characters.
      expect(await names({ q: '%_P' })).toEqual(['Edsger Dijkstra']);
      expect(await names({ q: '_' })).toEqual(['Edsger Dijkstra']);
      expect(await names({ q: 'nobody' })).toEqual([]);
    });

    it('filters by stage, owner, region, tag and registration time', async () => {
      expect(await names({ stage: 'lead' })).toEqual(['Ada Lovelace', 'Barbara Liskov']);
      expect(await names({ ownerRepId: 'rep-1' })).toEqual(['Edsger Dijkstra', 'Grace Hopper']);
      expect(await names({ region: 'London' })).toEqual(['Ada Lovelace', 'alan turing']);
      expect(await names({ tag: 'even' })).toEqual(expect.arrayContaining(['Ada Lovelace', 'alan turing', 'Barbara Liskov']));
      expect(await names({ createdFrom: new Date(Date.UTC(2026, 0, 2)), createdTo: new Date(Date.UTC(2026, 0, 4)) })).toEqual(['alan turing', 'Grace Hopper']);
      expect(await names({ stage: 'customer', region: 'London' })).toEqual([]);
    });

    it.each(DIRECTORY_SORTS.flatMap((sort) => (['asc', 'desc'] as const).map((order) => ({ sort, order }))))(
      'sorts by $sort $order, ties by customer id, in pages that add up to the whole list',
      async (order) => {
        const column = { name: 'name_key', createdAt: 'created_at', lastInteractionAt: 'last_interaction_key', revenue: 'revenue_minor' }[order.sort];
        const expected = (
          await sql<{ customer_id: string }>`
            select customer_id from ${sql.table(`${projectionSchema(CUSTOMER_DIRECTORY, 1)}.customers`)} where tags @> array[${tag}]::text[]
            order by ${sql.ref(column)} ${sql.raw(order.order)}, customer_id ${sql.raw(order.order)}`.execute(db)
        ).rows.map((row) => row.customer_id);
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await queries.search({ tag }, { ...order, limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((item) => item.customerId));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        expect(seen).toEqual(expected);
      },
    );

    it('orders names case-insensitively and puts customers never contacted last when newest first', async () => {
      expect(await names({})).toEqual(['Ada Lovelace', 'alan turing', 'Barbara Liskov', 'Edsger Dijkstra', 'Grace Hopper']);
      expect((await names({}, { sort: 'lastInteractionAt', order: 'desc' })).at(-1)).toBe('alan turing');
    });

    it('neither repeats nor skips a customer while others are registered between pages', async () => {
      const pageTag = `p-${randomUUID().slice(0, 8)}`;
      const register = (n: number, at: string) => {
        const id = `p-${n}-${randomUUID()}`;
        return customer(id)(registered(id, { tags: [pageTag], contact: { name: `Person ${n}` }, registeredAt: at }));
      };
      // Pairs share a registration time: the customer id breaks the tie.
      await apply(Array.from({ length: 30 }, (_, n) => register(n, new Date(Date.UTC(2026, 5, 1 + Math.floor(n / 2))).toISOString())));
      const before = (await queries.search({ tag: pageTag }, { sort: 'createdAt', order: 'desc', limit: 100 })).items.map((item) => item.customerId);

      const seen: string[] = [];
      let cursor: string | undefined;
      let n = 100;
      do {
        const page = await queries.search({ tag: pageTag }, { sort: 'createdAt', order: 'desc', limit: 4, cursor });
        seen.push(...page.items.map((item) => item.customerId));
        cursor = page.nextCursor ?? undefined;
        // Newer than all, between the others, and tied with one already listed.
        await apply([register(n++, '2027-01-01T00:00:00.000Z'), register(n++, new Date(Date.UTC(2026, 5, 8, 12)).toISOString()), register(n++, '2026-06-10T00:00:00.000Z')]);
      } while (cursor !== undefined);

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => before.includes(id))).toEqual(before);
    });

    it('refuses a cursor of another sort, or none of ours, naming the parameter', async () => {
      const { nextCursor } = await queries.search({ tag }, { sort: 'name', order: 'asc', limit: 1 });
      for (const [cursor, order] of [
        [nextCursor ?? '', { sort: 'name', order: 'desc' }],
        [nextCursor ?? '', { sort: 'revenue', order: 'asc' }],
        ['garbage', { sort: 'name', order: 'asc' }],
        [Buffer.from(JSON.stringify(['revenue', 'asc', '1.5', 'c'])).toString('base64url'), { sort: 'revenue', order: 'asc' }],
      ] as const) {
        const error = await queries.search({ tag }, { ...order, limit: 1, cursor }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ProblemException);
        expect((error as ProblemException).problem).toMatchObject({ status: 400, errors: [{ field: 'cursor' }] });
      }
    });

    it('streams the same rows as the pages, a page at a time', async () => {
      const streamed: string[] = [];
      for await (const row of queries.exportRows({ tag }, { sort: 'revenue', order: 'desc' }, 2)) streamed.push(row.customerId);
      const listed = (await queries.search({ tag }, { sort: 'revenue', order: 'desc', limit: 100 })).items.map((item) => item.customerId);
      expect(streamed).toEqual(listed);
      expect(streamed).toHaveLength(people.length);
    });
  });
});
