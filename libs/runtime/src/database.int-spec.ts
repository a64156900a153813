import { loadConfig } from '#config';
import { authMigrations } from '#auth';
import { commandsMigrations } from '#commands';
import { eventStoreMigrations, personalDataMigrations } from '#event-store';
import { secretsMigrations } from '#keys';
import { leadCaptureMigrations } from '#lead-capture';
import { webhooksMigrations } from '#webhooks';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import pg from 'pg';
import { prepareDatabase } from './database.js';

describe('prepareDatabase', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.drop(); // a name of our own, for a database that does not exist yet
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('creates the missing database and migrates it once, also when several processes start together', async () => {
    const config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY });
    const migrated = await Promise.all([prepareDatabase(config), prepareDatabase(config), prepareDatabase(config)]);
    const schemas = ['event_store', 'personal_data', 'log_seal', 'secrets', 'auth', 'commands', 'projections', 'lead_capture', 'service', 'webhooks'];
    expect(migrated).toEqual([schemas, schemas, schemas]);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      for (const set of [eventStoreMigrations, personalDataMigrations, secretsMigrations, authMigrations, commandsMigrations, leadCaptureMigrations, webhooksMigrations]) {
        const { rows } = await client.query(`select name from ${set.schema}.kysely_migration order by name`);
        expect(rows.map((row) => row.name)).toEqual(Object.keys(set.migrations).sort());
      }
    } finally {
      await client.end();
    }
  });
});
