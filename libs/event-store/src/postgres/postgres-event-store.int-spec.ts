import { migrate } from '#postgres';
import { createTestDatabase } from '#testing';
import { describeEventStoreContract } from '../testing/event-store.contract.js';
import { eventStoreMigrations } from './event-store.migrations.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { createPool } from '#postgres';

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
