import { loadConfig } from '#config';
import { EventStoreDbEventStore, PostgresEventStore } from '#event-store';
import { createPool } from '#postgres';
import { createLogAdapter } from './event-store.js';
import { migrationsFor } from './database.js';

// Building a store opens no connection: these run without PostgreSQL or EventStoreDB.
describe('the event store the configuration names', () => {
  const pool = createPool('postgres://postgres@127.0.0.1:5432/crm');
  afterAll(() => pool.end());

  it('is the PostgreSQL store, migrated with the database, when EVENTSTORE_URL is unset', async () => {
    const config = loadConfig({});
    const store = createLogAdapter(config, pool);
    expect(store).toBeInstanceOf(PostgresEventStore);
    expect(migrationsFor(config).map((set) => set.schema)).toEqual(['event_store', 'personal_data', 'log_seal', 'secrets', 'auth', 'commands', 'projections', 'lead_capture', 'service', 'webhooks']);
    await store.close();
  });

  it('is EventStoreDB, with no log tables in PostgreSQL, when EVENTSTORE_URL is set', async () => {
    const config = loadConfig({ EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false' });
    const store = createLogAdapter(config, pool);
    expect(store).toBeInstanceOf(EventStoreDbEventStore);
    expect(migrationsFor(config).map((set) => set.schema)).toEqual(['personal_data', 'log_seal', 'secrets', 'auth', 'commands', 'projections', 'lead_capture', 'service', 'webhooks']);
    await store.close();
  });
});
