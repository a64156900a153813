import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, until, type TestDatabase } from '#testing';
import { eventIdFor, type NewEvent } from '../event.js';
import { CHAIN_START, chainHash, checkpointSignatureValid, signingKeyId } from '../log-hash.js';
import { serializePosition } from '../position.js';
import { eventStoreMigrations } from '../postgres/event-store.migrations.js';
import { PostgresEventStore } from '../postgres/postgres-event-store.js';
import { logSealMigrations } from './log-seal.migrations.js';
import { LogSealStore } from './log-seal.store.js';
import { LogSealOwnedElsewhereError, LogSealer } from './log-sealer.js';

const KEY = Buffer.alloc(32, 7);

const event = (n: number): NewEvent => {
  const commandId = randomUUID();
  return { id: eventIdFor(commandId), type: 'NoteAdded', schemaVersion: 1, data: { n }, metadata: { actor: 't', commandId, correlationId: commandId, causationId: commandId } };
};

describe('LogSealer', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let seal: LogSealStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrate(pool, eventStoreMigrations);
    await migrate(pool, logSealMigrations);
    store = new PostgresEventStore({ connectionString: database.url, pool });
    seal = new LogSealStore(pool);
  });
  afterAll(async () => {
    await seal.close();
    await store.close();
    await pool.end();
    await database.drop();
  });

  it('chains the log once however many processes run it, signing checkpoints as it goes, and resumes after a restart', async () => {
    const options = { checkpointEvery: 10, checkpointIntervalMs: 60_000, pageSize: 7, idleMs: 20, standbyRetryMs: 20 };
    const sealers = [new LogSealer(store, pool, KEY, options), new LogSealer(store, pool, KEY, options)];
    for (const sealer of sealers) sealer.start();
    for (let n = 0; n < 30; n++) await store.append(`customer-${n % 4}`, [event(n), event(n)], 'any');
    await until('the 60 events chained', async () => (await seal.lastLink())?.events === 60, 20_000);
    // While they run, no one else may seal.
    const third = new LogSealer(store, pool, KEY);
    await expect(third.sealNow()).rejects.toBeInstanceOf(LogSealOwnedElsewhereError);
    await third.stop();
    await Promise.all(sealers.map((sealer) => sealer.stop()));

    // A restart goes on from the last link.
    for (let n = 0; n < 5; n++) await store.append('customer-late', [event(n)], 'any');
    const restarted = new LogSealer(store, pool, KEY, options);
    await until('the late events chained', async () => (await restarted.sealNow()) === 65, 10_000);
    await restarted.stop();

    const links = await seal.links(0, 65, 1_000);
    expect(links.map((link) => link.events)).toEqual(Array.from({ length: 65 }, (_, i) => i + 1));
    let chain = CHAIN_START;
    for (const link of links) {
      chain = chainHash(chain, link.eventHash);
      expect(link.chainHash).toEqual(chain);
    }
    const checkpoints = await seal.checkpoints(65);
    expect(checkpoints.at(-1)?.events).toBe(65);
    for (const checkpoint of checkpoints) {
      const link = links[checkpoint.events - 1];
      expect(checkpoint.chainHash).toEqual(link.chainHash);
      expect(checkpoint.keyId).toEqual(signingKeyId(KEY));
      const claim = { events: checkpoint.events, position: serializePosition(checkpoint.position), chain: checkpoint.chainHash, sealedAt: checkpoint.sealedAt };
      expect(checkpointSignatureValid(KEY, claim, checkpoint.signature)).toBe(true);
    }
    // A checkpoint at least every 10 events.
    const gaps = checkpoints.map((checkpoint, i) => checkpoint.events - (checkpoints[i - 1]?.events ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10 + options.pageSize);
  });
});
