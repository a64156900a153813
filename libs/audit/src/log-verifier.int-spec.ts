import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  LogSealer,
  PostgresEventStore,
  eventIdFor,
  eventStoreMigrations,
  logSealMigrations,
  serializePosition,
  type JsonObject,
  type NewEvent,
  type Position,
} from '#event-store';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, tamperWithLog, type TestDatabase } from '#testing';
import { LogVerifier, type LogVerification } from './log-verifier.js';

const KEY = Buffer.alloc(32, 0x5e);

const event = (data: JsonObject, type = 'NoteAdded'): NewEvent => {
  const commandId = randomUUID();
  return { id: eventIdFor(commandId), type, schemaVersion: 1, data, metadata: { actor: 'service:test', commandId, correlationId: commandId, causationId: commandId } };
};

/** Where each appended event landed: `a@1` -> position. */
type Placed = Map<string, Position>;

describe('LogVerifier (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let placed: Placed;

  /**
   * A fresh log of three streams, interleaved: a@0 b@0 c@0 a@1 b@1 a@2 c@1 b@2 a@3 c@2 a@4 b@3,
   * sealed with a checkpoint every 4 events and one at the end.
   */
  beforeEach(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrate(pool, eventStoreMigrations);
    await migrate(pool, logSealMigrations);
    store = new PostgresEventStore({ connectionString: database.url, pool });
    placed = new Map();
    for (const name of 'a b c a b a c b a c a b'.split(' ')) {
      const stream = `customer-${name}`;
      const revision = await store.streamRevision(stream);
      const { position } = await store.append(stream, [event({ stream: name, n: (revision ?? -1) + 1, text: 'one\ntwo' })], revision ?? 'no_stream');
      placed.set(`${name}@${(revision ?? -1) + 1}`, position);
    }
    await seal();
  });
  afterEach(async () => {
    await store.close();
    await pool.end();
    await database.drop();
  });

  const seal = async () => {
    await settled(pool);
    const sealer = new LogSealer(store, pool, KEY, { checkpointEvery: 4, pageSize: 4 });
    try {
      return await sealer.sealNow();
    } finally {
      await sealer.stop();
    }
  };
  const verify = async (key = KEY): Promise<LogVerification> => {
    await settled(pool);
    return new LogVerifier(store, pool, key, { pageSize: 5 }).verify();
  };
  const at = (name: string) => serializePosition(placed.get(name) as Position);
  const where = (name: string) => {
    const [stream, revision] = name.split('@');
    return { streamId: `customer-${stream}`, revision: Number(revision) };
  };
  const update = (statement: string, name: string) =>
    tamperWithLog(pool, (client) => client.query(`${statement} where stream_id = $1 and revision = $2`, [where(name).streamId, where(name).revision]));
  const eventsBefore = (name: string) => [...placed.values()].filter((p) => p.major < (placed.get(name) as Position).major).length;

  it('finds an untouched log clean: every event, stream and checkpoint', async () => {
    const report = await verify();
    expect(report).toMatchObject({
      clean: true,
      events: 12,
      streams: 3,
      sealedEvents: 12,
      unsealedEvents: 0,
      streamFindings: [],
      chain: null,
      checkpointFindings: [],
      checkpoints: { total: 3, verified: 3, last: { events: 12, position: at('b@3') } },
      head: at('b@3'),
    });
    expect(report.eventsPerSecond).toBeGreaterThan(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of the log on the ordinary connection', async () => {
    await expect(pool.query(`update event_store.events set data = '{}'`)).rejects.toThrow(/UPDATE on event_store.events refused: the event log is append-only/);
    await expect(pool.query(`delete from event_store.events where stream_id = 'customer-a'`)).rejects.toThrow(/DELETE on event_store.events refused/);
    await expect(pool.query('truncate event_store.events')).rejects.toThrow(/TRUNCATE on event_store.events refused/);
    await expect(pool.query('delete from log_seal.checkpoints')).rejects.toThrow(/DELETE on log_seal.checkpoints refused/);
    await expect(pool.query(`update log_seal.chain set chain_hash = ''`)).rejects.toThrow(/UPDATE on log_seal.chain refused/);
    expect((await verify()).clean).toBe(true);
  });

  it('reports an event whose data was changed as altered, at its stream, revision and position', async () => {
    await update(`update event_store.events set data = jsonb_set(data, '{n}', '99')`, 'b@1');
    const report = await verify();
    expect(report.clean).toBe(false);
    expect(report.streamFindings).toEqual([{ ...where('b@1'), position: at('b@1'), eventId: expect.any(String), problem: 'altered', detail: expect.any(String), further: 0 }]);
    // Its hash was left as it was: the global chain over the hashes still holds.
    expect(report.chain).toBeNull();
  });

  it('catches a rewrite that recomputed the altered event’s hash: the next link, the global chain and the checkpoints', async () => {
    await update(
      `update event_store.events set data = jsonb_set(data, '{n}', '99'),
         hash = event_store.event_hash(previous_hash, stream_id, revision, event_id, type, schema_version, jsonb_set(data, '{n}', '99'), metadata)`,
      'a@1',
    );
    const report = await verify();
    expect(report.streamFindings).toEqual([expect.objectContaining({ ...where('a@2'), position: at('a@2'), problem: 'broken-link' })]);
    expect(report.chain).toMatchObject({ events: eventsBefore('a@1') + 1, problem: 'altered', found: { ...where('a@1'), position: at('a@1') } });
    // Every checkpoint from there on no longer holds.
    expect(report.checkpointFindings.map((c) => [c.events, c.problem])).toEqual([
      [4, 'chain-mismatch'],
      [8, 'chain-mismatch'],
      [12, 'chain-mismatch'],
    ]);
  });

  it('reports an event deleted in the middle of a stream, and one deleted at a stream’s tail', async () => {
    await update('delete from event_store.events', 'a@2');
    await update('delete from event_store.events', 'c@2');
    const report = await verify();
    // In the middle: the stream's revisions have a gap, shown where the next one is.
    expect(report.streamFindings).toEqual([expect.objectContaining({ ...where('a@2'), position: at('a@3'), problem: 'deleted' })]);
    // Both: the global chain diverges where the first one was sealed; c's tail only shows there and in the checkpoints.
    expect(report.chain).toMatchObject({ events: eventsBefore('a@2') + 1, problem: 'removed', sealed: { ...where('a@2'), position: at('a@2') } });
    expect(report.checkpointFindings.map((c) => [c.events, c.problem])).toEqual([
      [8, 'chain-mismatch'],
      [12, 'beyond-log'],
    ]);
    expect(report.events).toBe(10);
  });

  it('reports an event deleted at a stream’s tail alone through the global chain and the checkpoints', async () => {
    await update('delete from event_store.events', 'c@2');
    const report = await verify();
    expect(report.streamFindings).toEqual([]);
    expect(report.chain).toMatchObject({ events: eventsBefore('c@2') + 1, problem: 'removed', sealed: { ...where('c@2'), position: at('c@2') } });
    expect(report.checkpointFindings.map((c) => [c.events, c.problem])).toEqual([
      [12, 'beyond-log'],
    ]);
  });

  it('reports two events of two streams whose places in the global order were swapped, at the first place it changed', async () => {
    // a@4 and b@3 are the last of their streams: each stream's own order still holds.
    await tamperWithLog(pool, async (client) => {
      const first = placed.get('a@4') as Position;
      const second = placed.get('b@3') as Position;
      await client.query(
        `update event_store.events set transaction_id = case when stream_id = 'customer-a' then $2::xid8 else $1::xid8 end
         where (stream_id, revision) in (('customer-a', 4), ('customer-b', 3))`,
        [String(first.major), String(second.major)],
      );
    });
    const report = await verify();
    expect(report.streamFindings).toEqual([]);
    expect(report.chain).toMatchObject({
      events: 11,
      problem: 'removed',
      sealed: { ...where('a@4'), position: at('a@4') },
      found: { ...where('b@3'), position: `${placed.get('a@4')?.major}-${placed.get('b@3')?.minor}` },
    });
    expect(report.checkpointFindings.map((c) => [c.events, c.problem])).toEqual([[12, 'chain-mismatch']]);
  });

  it('reports an event inserted into a stream with a forged link', async () => {
    await tamperWithLog(pool, (client) =>
      client.query(
        `insert into event_store.events (stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
         select stream_id, 5, gen_random_uuid(), type, schema_version, data, metadata, recorded_at, hash, hash
         from event_store.events where stream_id = 'customer-a' and revision = 4`,
      ),
    );
    const report = await verify();
    expect(report.streamFindings).toEqual([expect.objectContaining({ streamId: 'customer-a', revision: 5, problem: 'altered' })]);
    // After the last sealed event: the chain has nothing to say about it, the stream does.
    expect(report).toMatchObject({ chain: null, unsealedEvents: 1 });
  });

  it('tells a forged checkpoint and one signed with another key apart', async () => {
    await tamperWithLog(pool, (client) => client.query(`update log_seal.checkpoints set chain_hash = sha256('forged') where events = 4`));
    expect((await verify()).checkpointFindings.map((c) => [c.events, c.problem])).toEqual([[4, 'bad-signature']]);
    const other = await verify(Buffer.alloc(32, 1));
    expect(other.checkpointFindings.map((c) => c.problem)).toEqual(['unknown-key', 'unknown-key', 'unknown-key']);
  });

  it('seals only what is new after a restart, and counts events not sealed yet', async () => {
    await store.append('customer-d', [event({ late: true })], 'no_stream');
    expect((await verify()).unsealedEvents).toBe(1);
    expect(await seal()).toBe(13);
    const report = await verify();
    expect(report).toMatchObject({ clean: true, sealedEvents: 13, unsealedEvents: 0, checkpoints: { total: 4, verified: 4 } });
  });
});

/**
 * Waits until no committed event is held back by the log's horizon: transaction ids are the whole
 * server's, so a transaction open in another database (another test file) holds back this log too.
 */
async function settled(pool: pg.Pool): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await pool.query<{ held: boolean }>(
      'select exists (select from event_store.events where transaction_id >= pg_snapshot_xmin(pg_current_snapshot())) as held',
    );
    if (!rows[0].held) return;
    if (Date.now() > deadline) throw new Error('events still held back after 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('event hashes of a log recorded before them', () => {
  it('are filled in by the migration, stream by stream, so the old log verifies clean', async () => {
    const database = await createTestDatabase();
    const pool = createPool(database.url);
    const store = new PostgresEventStore({ connectionString: database.url, pool });
    try {
      await migrate(pool, { ...eventStoreMigrations, migrations: { '0001-event-log': eventStoreMigrations.migrations['0001-event-log'] } });
      for (const stream of ['customer-x', 'customer-y', 'customer-x']) await store.append(stream, [event({ stream, text: 'before "hashes"' }), event({})], 'any');
      await migrate(pool, eventStoreMigrations);
      await migrate(pool, logSealMigrations);
      await store.append('customer-x', [event({ after: true })], 3);
      await settled(pool);
      const sealer = new LogSealer(store, pool, KEY);
      await sealer.sealNow();
      await sealer.stop();
      expect(await new LogVerifier(store, pool, KEY).verify()).toMatchObject({ clean: true, events: 7, streams: 2, sealedEvents: 7 });
    } finally {
      await store.close();
      await pool.end();
      await database.drop();
    }
  });
});
