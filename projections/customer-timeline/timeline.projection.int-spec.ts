import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { CustomerEvent } from '#customers/domain';
import { ERASED, type JsonObject, type RecordedEvent } from '#event-store';
import { ProblemException } from '#http';
import { borrowedPool, createPool } from '#postgres';
import { applyEvents, prepareProjectionTables, type Projection } from '#read-model-engine';
import { createTestDatabase, recordedCustomerEvents, type TestDatabase } from '#testing';
import { customerTimelineProjection, type TimelineTables } from './timeline.projection.js';
import { TimelineQueries } from './timeline.queries.js';
import { DOMAIN_PERSONAL_DATA } from '#event-catalog';

/** Events of one customer stream, numbered as the store would. */
const customer = (customerId: string) => recordedCustomerEvents(customerId);

const registered = (customerId: string, registeredAt: string): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: {
    customerId,
    stage: 'lead',
    source: 'web_form',
    contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000' },
    company: { name: 'Analytical Engines Ltd', personInCharge: 'Charles Babbage' },
    tags: ['vip'],
    registeredAt,
  },
});
const call = (occurredAt: string, summary = 'Wants a proposal'): CustomerEvent => ({
  type: 'CallLogged',
  data: { callId: randomUUID(), direction: 'outbound', durationSeconds: 420, outcome: 'interested', repId: 'rep-1', summary, occurredAt },
});
const note = (addedAt: string, text: string): CustomerEvent => ({ type: 'NoteAdded', data: { noteId: randomUUID(), text, addedAt } });
const purchase = (purchasedAt: string): CustomerEvent => ({
  type: 'PurchaseRecorded',
  data: {
    orderId: 'order-42',
    lines: [{ lineNo: 1, productSku: 'SKU-1', quantity: 3, unitPriceMinor: 1999, currency: 'EUR' }],
    currency: 'EUR',
    totalMinor: 5997,
    purchasedAt,
    specialInstructions: 'Leave it with Ada’s neighbour',
  },
});
const erased = (erasedAt: string): CustomerEvent => ({ type: 'CustomerErased', data: { erasedAt, reason: 'GDPR request' } });

describe('customer timeline projection', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<unknown>;
  let schema: string;
  let queries: TimelineQueries;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    schema = await prepareProjectionTables(pool, customerTimelineProjection);
    queries = new TimelineQueries(db, schema);
  });

  afterAll(async () => {
    await db?.destroy();
    await pool?.end();
    await database?.drop();
  });

  const apply = (events: readonly RecordedEvent[], projection: Projection<TimelineTables> = customerTimelineProjection) =>
    db.transaction().execute((trx) => applyEvents(trx, projection, events));

  const rowsOf = async (customerId: string, inSchema = schema) =>
    (
      await sql<{ event_id: string; revision: number; position: string; type: string; occurred_at: Date; actor: string; summary: string; details: JsonObject }>`
        select event_id, revision, position, type, occurred_at, actor, summary, details
        from ${sql.table(`${inSchema}.timeline_entries`)} where customer_id = ${customerId} order by revision`.execute(db)
    ).rows;

  it('writes one row per customer event, with its business time, actor and summary', async () => {
    const id = `c-${randomUUID()}`;
    const next = customer(id);
    const events = [registered(id, '2026-01-05T10:00:00.000Z'), call('2026-01-06T09:30:00.000Z'), purchase('2026-01-07T12:00:00.000Z')].map((event) =>
      next(event, new Date('2026-02-01T00:00:00.000Z')),
    );
    await apply(events);

    const rows = await rowsOf(id);
    expect(rows).toEqual([
      expect.objectContaining({
        event_id: events[0].id,
        revision: 0,
        position: `${events[0].position.major}-${events[0].position.minor}`,
        type: 'CustomerRegistered',
        occurred_at: new Date('2026-01-05T10:00:00.000Z'),
        actor: 'test-service',
        summary: 'Registered as lead (web form): Ada Lovelace, Analytical Engines Ltd',
        details: events[0].data,
      }),
      expect.objectContaining({ type: 'CallLogged', summary: 'Outbound call, 7 min, interested: Wants a proposal', occurred_at: new Date('2026-01-06T09:30:00.000Z') }),
      expect.objectContaining({ type: 'PurchaseRecorded', summary: 'Purchase order-42: 3 items, EUR 59.97', occurred_at: new Date('2026-01-07T12:00:00.000Z') }),
    ]);
  });

  it('ignores other streams and event types it does not know', async () => {
    const id = `c-${randomUUID()}`;
    const known = customer(id)(registered(id, '2026-01-05T10:00:00.000Z'));
    const unknownType: RecordedEvent = { ...known, id: randomUUID(), revision: 1, type: 'LoyaltyTierChanged', data: { tier: 'gold' } };
    const otherStream: RecordedEvent = { ...known, id: randomUUID(), streamId: `rep-${id}`, type: 'NoteAdded' };
    await apply([known, unknownType, otherStream]);
    expect((await rowsOf(id)).map((row) => row.type)).toEqual(['CustomerRegistered']);
  });

  it('is idempotent: applying the same events again changes nothing', async () => {
    const id = `c-${randomUUID()}`;
    const next = customer(id);
    const events = [registered(id, '2026-01-05T10:00:00.000Z'), note('2026-01-06T09:30:00.000Z', 'Prefers mornings')].map((event) => next(event));
    await apply(events);
    const before = await rowsOf(id);
    await apply(events);
    await apply([events[1]]);
    expect(await rowsOf(id)).toEqual(before);
  });

  it('scrubs personal data from rows written before an erasure, exactly as a rebuild after it would write them', async () => {
    const id = `c-${randomUUID()}`;
    const next = customer(id);
    const events = [
      registered(id, '2026-01-05T10:00:00.000Z'),
      call('2026-01-06T09:30:00.000Z', 'Ada wants a proposal'),
      note('2026-01-07T09:30:00.000Z', 'Ada prefers mornings'),
      purchase('2026-01-08T09:30:00.000Z'),
      erased('2026-01-09T09:30:00.000Z'),
    ].map((event) => next(event));
    await apply(events.slice(0, 4));
    expect(JSON.stringify(await rowsOf(id))).toContain('Ada');
    await apply(events.slice(4));

    const live = await rowsOf(id);
    expect(JSON.stringify(live)).not.toMatch(/Ada|Lovelace|Babbage|example\.com|7946|neighbour/);
    expect(live.map((row) => row.summary)).toEqual([
      'Registered as lead (web form)',
      'Outbound call, 7 min, interested',
      'Note added',
      'Purchase order-42: 3 items, EUR 59.97',
      'Personal data erased',
    ]);
    expect(live[0].details).toMatchObject({ contact: { name: ERASED, email: ERASED, phone: ERASED }, company: { name: ERASED, personInCharge: ERASED } });

    // A rebuild reads the same events with their personal fields erased by the store.
    const rebuild = { ...customerTimelineProjection, version: 99 };
    const rebuildSchema = await prepareProjectionTables(pool, rebuild);
    await apply(
      events.map((event) => ({ ...event, data: DOMAIN_PERSONAL_DATA.erased(event.type, event.data) })),
      rebuild,
    );
    expect(await rowsOf(id, rebuildSchema)).toEqual(live);
  });

  describe('pages', () => {
    const id = `c-${randomUUID()}`;
    const next = customer(id);
    // 40 events over 20 distinct minutes: every time is shared by two events (ties broken by event id).
    const times = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2026, 0, 1, 0, Math.floor(i / 2))).toISOString());

    beforeAll(async () => {
      await apply([next(registered(id, times[0])), ...times.slice(1).map((time, i) => next(i % 3 === 0 ? note(time, `note ${i}`) : call(time)))]);
    });

    async function readAll(limit: number, between?: (page: number) => Promise<void>) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; ; page++) {
        const result = await queries.page(id, { limit, cursor });
        seen.push(...result.items.map((item) => item.eventId));
        if (result.nextCursor === null) return seen;
        cursor = result.nextCursor;
        await between?.(page);
      }
    }

    it('lists newest first, ties by event id, and hands out a cursor until the last page', async () => {
      const first = await queries.page(id, { limit: 5 });
      expect(first.items).toHaveLength(5);
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(first.items[0]).toEqual({
        eventId: expect.any(String),
        type: expect.any(String),
        occurredAt: times[39],
        recordedAt: expect.any(String),
        actor: 'test-service',
        summary: expect.any(String),
        details: expect.any(Object),
      });
      const all = await readAll(7);
      const expected = (
        await sql<{ event_id: string }>`select event_id from ${sql.table(`${schema}.timeline_entries`)} where customer_id = ${id} order by occurred_at desc, event_id desc`.execute(
          db,
        )
      ).rows.map((row) => row.event_id);
      expect(all).toEqual(expected);
      expect(all).toHaveLength(40);
      expect((await queries.page(id, { limit: 40 })).nextCursor).toBeNull();
    });

    it('neither repeats nor skips a row while events are inserted between pages', async () => {
      const before = await readAll(40);
      // Each pause inserts one event newer than everything, one in the middle, one at a time already shared.
      const inserted: string[] = [];
      const seen = await readAll(6, async (page) => {
        const events = [
          next(call(new Date(Date.UTC(2027, 0, 1, 0, page)).toISOString())),
          next(call(new Date(Date.UTC(2026, 0, 1, 0, 10, 30 + page)).toISOString())),
          next(call(times[20])),
        ];
        inserted.push(...events.map((event) => event.id));
        await apply(events);
      });
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((eventId) => before.includes(eventId))).toEqual(before);
      expect(seen.every((eventId) => before.includes(eventId) || inserted.includes(eventId))).toBe(true);
    });

    it('filters by type and by a time range (from inclusive, to exclusive)', async () => {
      const notes = await queries.page(id, { types: ['NoteAdded'], limit: 100 });
      expect(notes.items.length).toBeGreaterThan(0);
      expect(notes.items.every((item) => item.type === 'NoteAdded')).toBe(true);
      const ranged = await queries.page(id, { from: new Date(times[2]), to: new Date(times[6]), limit: 100 });
      expect(ranged.items.map((item) => item.occurredAt)).toEqual([times[5], times[4], times[3], times[2]]);
      const both = await queries.page(id, { types: ['CustomerRegistered', 'NoteAdded'], to: new Date(times[2]), limit: 100 });
      expect(both.items.map((item) => item.type).sort()).toEqual(['CustomerRegistered', 'NoteAdded']);
    });

    it('refuses a cursor it did not hand out, naming the parameter', async () => {
      for (const cursor of ['nope', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["2026-01-01T00:00:00.000000Z","x"]').toString('base64url')]) {
        const error = await queries.page(id, { limit: 5, cursor }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ProblemException);
        expect((error as ProblemException).problem).toMatchObject({ status: 400, errors: [{ field: 'cursor' }] });
      }
    });
  });
});
