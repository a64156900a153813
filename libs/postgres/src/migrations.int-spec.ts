import type { Kysely } from 'kysely';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { createPool } from './database.js';
import { migrate, type MigrationSet } from './migrations.js';

const tables = (schema: string): MigrationSet => ({
  schema,
  bindToSchema: true,
  migrations: {
    '0001': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('things').addColumn('id', 'text', (c) => c.primaryKey()).execute();
      },
    },
  },
});

describe('migrate', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 12 });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('applies a set once, however many processes migrate it at the same time', async () => {
    await Promise.all(Array.from({ length: 4 }, () => migrate(pool, tables('twins'))));
    const { rows } = await pool.query<{ name: string }>('select name from twins.kysely_migration');
    expect(rows).toEqual([{ name: '0001' }]);
  });

  it('is not disturbed by other schemas being created and dropped meanwhile', async () => {
    let churning = true;
    // Scratch schemas coming and going, as verifications and replaced builds leave them.
    const churn = (async () => {
      for (let n = 0; churning; n++) {
        await pool.query(`create schema churn_${n}; create table churn_${n}.t (a int primary key, b text)`);
        await pool.query(`drop schema churn_${n} cascade`);
      }
    })();
    try {
      // Four processes, each migrating one new schema after another.
      const failures: string[] = [];
      await Promise.all(
        Array.from({ length: 4 }, async (_, process) => {
          for (let n = 0; n < 15; n++) await migrate(pool, tables(`migrated_${process}_${n}`)).catch((error: unknown) => failures.push(String(error)));
        }),
      );
      expect(failures).toEqual([]);
    } finally {
      churning = false;
      await churn;
    }
    const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_name = 'things'`);
    expect(rows[0].n).toBe(61);
  });
});
