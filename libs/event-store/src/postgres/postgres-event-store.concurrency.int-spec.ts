import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import { WrongExpectedRevisionError } from '../errors.js';
import { eventIdFor, type NewEvent, type RecordedEvent } from '../event.js';
import { comparePositions } from '../position.js';
import { eventStoreMigrations } from './event-store.migrations.js';
import { PostgresEventStore } from './postgres-event-store.js';

/**
 * Many writers on overlapping streams, some rolled back on purpose, some conflicting, some holding
 * their transaction open after drawing their sequence numbers (the case a naive
 * `sequence > checkpoint` reader gets wrong), while a subscriber follows the whole log.
 */
describe('PostgreSQL event store under concurrent writers', () => {
  const WRITERS = 10;
  const APPENDS_PER_WRITER = 40;
  const STREAMS = ['customer-a', 'customer-b', 'customer-c', 'customer-d', 'customer-e'];

  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    const pool = createPool(database.url);
    await migrate(pool, eventStoreMigrations);
    await pool.end();
    store = new PostgresEventStore({ connectionString: database.url, pageSize: 7 });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const newEvent = (writer: number, i: number, part = 0): NewEvent => {
    const commandId = randomUUID();
    return {
      id: eventIdFor(commandId, part),
      type: 'CallLogged',
      schemaVersion: 1,
      data: { writer, i, part },
      metadata: { actor: `writer-${writer}`, commandId, correlationId: commandId, causationId: commandId },
    };
  };

  class Rollback extends Error {}

  it('delivers every committed event exactly once, never an aborted one, each stream in order', async () => {
    const committed = new Set<string>();
    const aborted = new Set<string>();
    let conflicts = 0;

    const subscription = new AbortController();
    const received: RecordedEvent[] = [];
    const subscriber = (async () => {
      for await (const event of store.subscribeToAll({ signal: subscription.signal })) received.push(event);
    })();

    const writer = async (w: number) => {
      for (let i = 0; i < APPENDS_PER_WRITER; i++) {
        const stream = STREAMS[(w * 7 + i * 3) % STREAMS.length];
        const batch = [newEvent(w, i, 0), ...(i % 4 === 0 ? [newEvent(w, i, 1)] : [])];
        const ids = batch.map((e) => e.id);
        const kind = i % 5;
        if (kind === 0 || kind === 1) {
          // Inside a caller's transaction, held open after the insert drew its sequence numbers;
          // every other one is rolled back on purpose.
          const rollBack = kind === 0;
          try {
            await store.db.transaction().execute(async (trx) => {
              await store.appendWith(trx, stream, batch, 'any');
              await sleep(5 + ((w + i) % 4) * 10);
              if (rollBack) throw new Rollback();
            });
            store.signalAppended();
            ids.forEach((id) => committed.add(id));
          } catch (error) {
            if (!(error instanceof Rollback)) throw error;
            ids.forEach((id) => aborted.add(id));
          }
        } else {
          // Read-then-write at the expected revision: racing writers on one stream conflict.
          const revision = await store.streamRevision(stream);
          await sleep((w + i) % 3);
          try {
            await store.append(stream, batch, revision ?? 'no_stream');
            ids.forEach((id) => committed.add(id));
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError)) throw error;
            conflicts += 1;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

    const { rows } = await sql<{ event_id: string; stream_id: string; revision: number }>`
      select event_id, stream_id, revision from event_store.events`.execute(store.db);
    const deadline = Date.now() + 15_000;
    while (received.length < rows.length && Date.now() < deadline) await sleep(20);
    await sleep(100); // anything past the table's content would show up as a duplicate now
    subscription.abort();
    await subscriber;

    // The run exercised what it claims to.
    expect(aborted.size).toBeGreaterThan(0);
    expect(conflicts).toBeGreaterThan(0);
    expect(committed.size).toBeGreaterThan(WRITERS * APPENDS_PER_WRITER * 0.4);

    // The table holds exactly the committed appends.
    const inTable = new Set(rows.map((r) => r.event_id));
    expect(inTable).toEqual(committed);

    // Exactly once, nothing aborted, equal to the table's committed content.
    const receivedIds = received.map((e) => e.id);
    expect(new Set(receivedIds).size).toBe(receivedIds.length);
    expect(receivedIds.filter((id) => aborted.has(id))).toEqual([]);
    expect(new Set(receivedIds)).toEqual(inTable);
    const tableView = rows.map((r) => `${r.stream_id}@${r.revision}:${r.event_id}`).sort();
    const subscriberView = received.map((e) => `${e.streamId}@${e.revision}:${e.id}`).sort();
    expect(subscriberView).toEqual(tableView);

    // Log order is strictly increasing, and within each stream revisions come 0, 1, 2, ... in order.
    for (let i = 1; i < received.length; i++) {
      expect(comparePositions(received[i - 1].position, received[i].position)).toBe(-1);
    }
    for (const stream of STREAMS) {
      const revisions = received.filter((e) => e.streamId === stream).map((e) => e.revision);
      expect(revisions).toEqual(revisions.map((_, index) => index));
    }
  }, 60_000);
});
