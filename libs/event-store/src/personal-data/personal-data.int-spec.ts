import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, tamperWithLog, testMasterKeys, type TestDatabase } from '#testing';
import { StreamErasedError } from '../errors.js';
import { eventIdFor, type JsonObject, type NewEvent, type RecordedEvent } from '../event.js';
import { START, comparePositions, type Position } from '../position.js';
import { eventStoreMigrations } from '../postgres/event-store.migrations.js';
import { PostgresEventStore } from '../postgres/postgres-event-store.js';
import { PersonalDataIntegrityError, isEncryptedValue } from './cipher.js';
import { PostgresDataKeyStore, type DataKeyStore, type StreamKeys } from './data-key-store.js';
import { ERASED, isErased } from './erased.js';
import { PersonalDataEventStore } from './personal-data-event-store.js';
import { personalDataMigrations } from './personal-data.migrations.js';
import { PersonalDataPolicy, type KeyLink } from './policy.js';

const policy = new PersonalDataPolicy({
  LeadRegistered: ['name', 'contact.email', 'contact.phone', 'address'],
  OrderPlaced: ['lines[].note'],
});

/** Records every batch of streams whose keys were fetched, to show one fetch per page. */
class CountingKeyStore implements DataKeyStore {
  readonly fetches: string[][] = [];
  constructor(private readonly inner: DataKeyStore) {}
  keyFor(streamId: string) {
    return this.inner.keyFor(streamId);
  }
  keysFor(streamIds: readonly string[]): Promise<ReadonlyMap<string, StreamKeys>> {
    this.fetches.push([...streamIds]);
    return this.inner.keysFor(streamIds);
  }
  erase(streamId: string) {
    return this.inner.erase(streamId);
  }
  seal(streamId: string) {
    return this.inner.seal(streamId);
  }
  link(links: readonly KeyLink[]) {
    return this.inner.link(links);
  }
  linkedStreams(subject: string) {
    return this.inner.linkedStreams(subject);
  }
  close() {
    return this.inner.close();
  }
}

const event = (type: string, data: JsonObject): NewEvent => {
  const commandId = randomUUID();
  return {
    id: eventIdFor(commandId),
    type,
    schemaVersion: 1,
    data,
    metadata: { actor: 'service:test', commandId, correlationId: commandId, causationId: commandId },
  };
};
const lead = (name: string) =>
  event('LeadRegistered', {
    name,
    contact: { email: `${name.toLowerCase()}@example.com`, phone: '+49 221 555', channel: 'web' },
    address: { street: 'Hauptstraße 1', city: 'Köln' },
    source: 'ad-7',
  });
const order = () => event('OrderPlaced', { lines: [{ sku: 'A-1', note: 'ring the bell twice' }, { sku: 'B-2' }], total: 99.5 });
const newStream = () => `customer-${randomUUID()}`;

describe('PersonalDataEventStore on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let raw: PostgresEventStore;
  let keys: CountingKeyStore;
  let store: PersonalDataEventStore;

  const openStore = (keyStore: DataKeyStore = new PostgresDataKeyStore({ connectionString: database.url, masterKeys: testMasterKeys() })) =>
    new PersonalDataEventStore(new PostgresEventStore({ connectionString: database.url }), keyStore, policy);
  const keyRows = async (streamId: string) => {
    const { rows } = await pool.query(
      'select generation, wrapped_key is null as erased from personal_data.data_keys where stream_id = $1 and not sealed order by generation',
      [streamId],
    );
    return rows;
  };
  const liveKeys = async (streamId: string) => {
    const { rows } = await pool.query<{ count: string }>(
      'select count(*) from personal_data.data_keys where stream_id = $1 and wrapped_key is not null',
      [streamId],
    );
    return Number(rows[0].count);
  };
  const seals = async (streamId: string) => {
    const { rows } = await pool.query<{ count: string }>('select count(*) from personal_data.data_keys where stream_id = $1 and sealed', [streamId]);
    return Number(rows[0].count);
  };
  /** readAll holds back events while any older transaction in the cluster is open: wait until they show. */
  const waitForLog = async (position: Position) => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      const head = await store.headPosition();
      if (head && comparePositions(head, position) >= 0) return;
    }
    throw new Error('appended events did not become readable in the log');
  };
  const readLog = async (from: Position, streams: ReadonlySet<string>) => {
    const page = await store.readAll({ from, limit: 1000 });
    return page.events.filter((e) => streams.has(e.streamId));
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrate(pool, eventStoreMigrations);
    await migrate(pool, personalDataMigrations);
    raw = new PostgresEventStore({ connectionString: database.url });
    keys = new CountingKeyStore(new PostgresDataKeyStore({ connectionString: database.url, pool, masterKeys: testMasterKeys() }));
    store = new PersonalDataEventStore(raw, keys, policy);
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('stores no plaintext of personal fields and decrypts them on read', async () => {
    const stream = newStream();
    const appended = [lead('Zoë'), order(), event('NoteAdded', { text: 'plain: not declared personal' })];
    await store.append(stream, appended, 'no_stream');

    const stored = await raw.readStream(stream);
    const [leadData, orderData] = stored.map((e) => e.data);
    expect(isEncryptedValue(leadData.name)).toBe(true);
    expect(leadData.contact).toMatchObject({ email: expect.objectContaining({ $pd: expect.any(String) }), channel: 'web' });
    expect(isEncryptedValue(leadData.address)).toBe(true);
    expect(leadData.source).toBe('ad-7');
    expect(orderData).toMatchObject({ lines: [{ sku: 'A-1', note: { $pd: expect.any(String) } }, { sku: 'B-2' }], total: 99.5 });
    const { rows } = await pool.query<{ data: string }>('select data::text as data from event_store.events where stream_id = $1', [stream]);
    for (const secret of ['Zoë', 'zoë@example.com', '+49 221 555', 'Hauptstraße', 'ring the bell']) {
      expect(rows.map((r) => r.data).join('\n')).not.toContain(secret);
    }

    expect((await store.readStream(stream)).map((e) => e.data)).toEqual(appended.map((e) => e.data));
    expect(await keyRows(stream)).toEqual([{ generation: 1, erased: false }]);
  });

  it('creates no key for a stream whose events carry no personal values', async () => {
    const stream = newStream();
    await store.append(stream, [event('NoteAdded', { text: 'x' }), event('LeadRegistered', { source: 'ad-1' })], 'no_stream');
    expect(await keyRows(stream)).toEqual([]);
    expect((await store.readStream(stream))[1].data).toEqual({ source: 'ad-1' });
  });

  it('decrypts a readAll page spanning several streams with one key fetch', async () => {
    const from = (await store.headPosition()) ?? START;
    const streams = [newStream(), newStream(), newStream()];
    for (const [i, stream] of streams.entries()) await store.append(stream, [lead(`Person${i}`), order()], 'no_stream');
    await waitForLog((await store.append(newStream(), [event('NoteAdded', { text: 'no personal data' })], 'no_stream')).position);

    keys.fetches.length = 0;
    const page = await store.readAll({ from, limit: 1000 });
    expect(keys.fetches).toHaveLength(1);
    expect([...keys.fetches[0]].sort()).toEqual([...streams].sort());
    const mine = page.events.filter((e) => streams.includes(e.streamId));
    expect(mine.map((e) => e.data.name ?? null)).toEqual(['Person0', null, 'Person1', null, 'Person2', null]);
    expect(mine[1].data.lines).toEqual([{ sku: 'A-1', note: 'ring the bell twice' }, { sku: 'B-2' }]);
  });

  it('decrypts what subscribeToAll delivers', async () => {
    const from = (await store.headPosition()) ?? START;
    const stream = newStream();
    const controller = new AbortController();
    const received: RecordedEvent[] = [];
    const subscription = (async () => {
      for await (const e of store.subscribeToAll({ from, signal: controller.signal })) {
        if (e.streamId !== stream) continue;
        received.push(e);
        if (received.length === 2) controller.abort();
      }
    })();
    const appended = [lead('Ada'), order()];
    await store.append(stream, appended, 'no_stream');
    await subscription;
    expect(received.map((e) => e.data)).toEqual(appended.map((e) => e.data));
  });

  it('after erase, reads personal values as ERASED and everything else intact', async () => {
    const from = (await store.headPosition()) ?? START;
    const erased = newStream();
    const kept = newStream();
    await store.append(erased, [lead('Grace'), order()], 'no_stream');
    await waitForLog((await store.append(kept, [lead('Linus')], 'no_stream')).position);

    expect(await store.erase(erased)).toBe(true);
    expect(await store.erase(erased)).toBe(false);

    const expected = [
      {
        name: ERASED,
        contact: { email: ERASED, phone: ERASED, channel: 'web' },
        address: ERASED,
        source: 'ad-7',
      },
      { lines: [{ sku: 'A-1', note: ERASED }, { sku: 'B-2' }], total: 99.5 },
    ];
    const byStream = await store.readStream(erased);
    expect(byStream.map((e) => e.data)).toEqual(expected);
    expect(isErased(byStream[0].data.name)).toBe(true);
    expect(byStream.map((e) => e.type)).toEqual(['LeadRegistered', 'OrderPlaced']);

    const fromLog = await readLog(from, new Set([erased, kept]));
    expect(fromLog.filter((e) => e.streamId === erased).map((e) => e.data)).toEqual(expected);
    expect(fromLog.find((e) => e.streamId === kept)?.data.name).toBe('Linus');
  });

  it('gives an erased stream a new key when it needs one again; old values stay erased', async () => {
    const stream = newStream();
    await store.append(stream, [lead('Alan')], 'no_stream');
    await store.erase(stream);
    await store.append(stream, [lead('Alan')], 0);

    expect((await store.readStream(stream)).map((e) => e.data.name)).toEqual([ERASED, 'Alan']);
    expect(await keyRows(stream)).toEqual([
      { generation: 1, erased: true },
      { generation: 2, erased: false },
    ]);
  });

  it('rejects a tampered value instead of reading it as erased', async () => {
    const stream = newStream();
    await store.append(stream, [lead('Barbara')], 'no_stream');
    const [stored] = await raw.readStream(stream);
    const envelope = (stored.data.name as { $pd: string }).$pd;
    const last = envelope.at(-3) === 'A' ? 'B' : 'A';
    const tampered = { ...stored.data, name: { $pd: `${envelope.slice(0, -3)}${last}${envelope.slice(-2)}` } };
    await tamperWithLog(pool, (client) => client.query('update event_store.events set data = $1 where event_id = $2', [JSON.stringify(tampered), stored.id]));

    await expect(store.readStream(stream)).rejects.toThrow(PersonalDataIntegrityError);
    await expect(store.readStream(stream)).rejects.toThrow(/fails authentication/);
  });

  it('rejects values whose key is missing (not erased) instead of reading them as erased', async () => {
    const stream = newStream();
    await store.append(stream, [lead('Edsger')], 'no_stream');
    await pool.query('delete from personal_data.data_keys where stream_id = $1', [stream]);
    await expect(store.readStream(stream)).rejects.toThrow(/no data key of generation 1/);
  });

  it('refuses event data that already holds an encrypted-value marker', async () => {
    const stream = newStream();
    await expect(store.append(stream, [event('NoteAdded', { text: { $pd: 'v1.1.x.y.z' } })], 'no_stream')).rejects.toThrow(TypeError);
    expect(await raw.streamRevision(stream)).toBeNull();
  });

  it('converges on one key when two processes append to a new stream at once', async () => {
    const [first, second] = [openStore(), openStore()];
    try {
      // Connected first, so both really race for each stream's key.
      await Promise.all([first, second].map((s) => Promise.all(Array.from({ length: 5 }, () => s.append(newStream(), [lead('Warm')], 'any')))));
      const streams = Array.from({ length: 10 }, newStream);
      await Promise.all(
        streams.flatMap((stream) => [first.append(stream, [lead('Ann')], 'any'), second.append(stream, [lead('Bob')], 'any')]),
      );
      for (const stream of streams) {
        expect(await keyRows(stream)).toEqual([{ generation: 1, erased: false }]);
        expect((await store.readStream(stream)).map((e) => e.data.name).sort()).toEqual(['Ann', 'Bob']);
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  describe('sealing a stream (its person erased for good)', () => {
    it('leaves no usable key when keys are created while it seals, and refuses every key after', async () => {
      // Stores of their own (own pools), so creates and the seal really run at once.
      const [first, second, sealer] = Array.from({ length: 3 }, () => new PostgresDataKeyStore({ connectionString: database.url, masterKeys: testMasterKeys() }));
      try {
        await Promise.all([first, second, sealer].map((s) => s.keyFor(newStream())));
        for (let round = 0; round < 50; round++) {
          const stream = newStream();
          // As an erasure does: a key in use, deleted (not sealed) before the erasure is recorded.
          if (round % 2 === 0) {
            await first.keyFor(stream);
            await first.erase(stream);
          }
          const bystander = newStream();
          const outcomes = await Promise.allSettled([
            first.keyFor(stream),
            second.keyFor(stream),
            sealer.seal(stream),
            first.keyFor(stream),
            second.keyFor(bystander),
            second.keyFor(stream),
          ]);
          expect(outcomes[2]).toEqual({ status: 'fulfilled', value: undefined });
          expect(outcomes[4].status).toBe('fulfilled');
          // A create either won (its key deleted by the seal) or saw the seal: never another error.
          for (const outcome of outcomes) {
            if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StreamErasedError);
          }
          expect({ round, live: await liveKeys(stream), seals: await seals(stream) }).toEqual({ round, live: 0, seals: 1 });
          await expect(second.keyFor(stream)).rejects.toThrow(StreamErasedError);
          expect(await liveKeys(stream)).toBe(0);
          expect(await liveKeys(bystander)).toBe(1);
        }
      } finally {
        await Promise.all([first, second, sealer].map((s) => s.close()));
      }
    });

    it('reads the values as erased, refuses personal data on append but not other events, and is idempotent', async () => {
      const stream = newStream();
      const other = newStream();
      await store.append(stream, [lead('Hedy')], 'no_stream');
      await store.append(other, [lead('Kathleen')], 'no_stream');
      await keys.seal(stream);
      await keys.seal(stream);
      expect(await seals(stream)).toBe(1);
      expect(await keyRows(stream)).toEqual([{ generation: 1, erased: true }]);
      expect((await keys.keysFor([stream])).get(stream)).toEqual(new Map([[1, null]]));

      await expect(store.append(stream, [lead('Hedy')], 0)).rejects.toThrow(StreamErasedError);
      expect(await raw.streamRevision(stream)).toBe(0);
      // The record of the erasure itself holds nothing personal, so it needs no key.
      await store.append(stream, [event('NoteAdded', { text: 'plain: not declared personal' })], 0);
      expect((await store.readStream(stream)).map((e) => e.data.name ?? e.data.text)).toEqual([ERASED, 'plain: not declared personal']);
      expect(await liveKeys(stream)).toBe(0);

      expect((await store.readStream(other))[0].data.name).toBe('Kathleen');
      await store.append(other, [lead('Kathleen')], 0);
    });
  });
});
