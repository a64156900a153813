import { createPool, migrate } from '#postgres';
import { createTestDatabase } from '#testing';
import { describeEventStoreContract } from '../testing/event-store.contract.js';
import { eventStoreMigrations } from './event-store.migrations.js';
import { PostgresEventStore } from './postgres-event-store.js';
describeEventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const pool = createPool(database.url);
  await migrate(pool, eventStoreMigrations);
  await pool.end();
  const store = new PostgresEventStore({ connectionString: database.url });
  return {
    store,
    async teardown() {
      await store.close();
      await database.drop();
    },
  };
});

describe('PostgreSQL log order', () => {
  it('orders the log by transaction id as a number (where the text of 9...9 sorts after 10...0)', async () => {
    const database = await createTestDatabase();
    const pool = createPool(database.url);
    const store = new PostgresEventStore({ connectionString: database.url, pool });
    try {
      await migrate(pool, eventStoreMigrations);
      // Transactions long committed (below the oldest one running), whose ids differ in their number
      // of digits: the largest power of ten below that horizon, and the id before it.
      const { rows } = await pool.query<{ xmin: string }>('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin');
      const power = 10n ** BigInt(String(BigInt(rows[0].xmin) - 1n).length - 1);
      for (const [xid, stream] of [
        [String(power), 'later'],
        [String(power - 1n), 'earlier'],
      ]) {
        await pool.query(
          // Only the order is looked at here, not the hashes.
          `insert into event_store.events (transaction_id, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
           values ($1::xid8, $2, 0, gen_random_uuid(), 'Noted', 1, '{}', '{"actor":"t","commandId":"c","correlationId":"c","causationId":"c"}', now(),
                   sha256(''), sha256(''))`,
          [xid, stream],
        );
      }
      const first = await store.readAll({ limit: 1 });
      expect(first.events.map((event) => event.streamId)).toEqual(['earlier']);
      expect((await store.readAll({ from: first.next, limit: 1 })).events.map((event) => event.streamId)).toEqual(['later']);
      expect((await store.headPosition())?.major).toBe(power);
    } finally {
      await store.close();
      await pool.end();
      await database.drop();
    }
  });
});
