import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { borrowedPool, createPool } from '#postgres';
import { prepareProjectionTables } from '#read-model-engine';
import { createTestDatabase, type TestDatabase } from '#testing';
import { CSV_HEADER, csvLine } from './directory.csv.js';
import { customerDirectoryProjection } from './directory.projection.js';
import { DirectoryQueries } from './directory.queries.js';

const CUSTOMERS = 50_000;

// A full collection before each heap reading, so the readings show what is retained, not garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const retainedHeap = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

describe('customer directory export', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<unknown>;
  let queries: DirectoryQueries;
  let schema: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    schema = await prepareProjectionTables(pool, customerDirectoryProjection);
    queries = new DirectoryQueries(db, schema);
    await sql`
      insert into ${sql.table(`${schema}.customers`)}
        (customer_id, revision, name, email, phone, company, stage, owner_rep_id, region, industry, tags, created_at, updated_at,
         interactions, orders, revenue_minor, revenue_currency)
      select 'c-' || n, 3, 'Customer, "number" ' || n, 'customer' || n || '@example.com', '+49 30 ' || n, 'Company ' || (n % 500),
             (array['lead', 'prospect', 'customer'])[1 + n % 3], 'rep-' || (n % 20), 'region-' || (n % 10), 'retail',
             array['tag-' || (n % 7), 'all'], timestamptz '2026-01-01' + n * interval '1 minute', now(), n % 11, n % 5, n * 100, 'EUR'
      from generate_series(1, ${CUSTOMERS}) as n`.execute(db);
    await sql`analyze ${sql.table(`${schema}.customers`)}`.execute(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await pool?.end();
    await database?.drop();
  });

  it(`streams ${CUSTOMERS} customers as CSV with the heap growing by a small fraction of the data`, async () => {
    const before = retainedHeap();
    let peak = 0;
    let rows = 0;
    let bytes = Buffer.byteLength(CSV_HEADER);
    let previous = '';
    let inOrder = true;
    for await (const profile of queries.exportRows({ tag: 'all' }, { sort: 'createdAt', order: 'asc' })) {
      bytes += Buffer.byteLength(csvLine(profile));
      // Every registration time is distinct here: strictly rising means no row came twice.
      inOrder &&= profile.createdAt > previous;
      previous = profile.createdAt;
      // A reading every 10,000 rows: each is a full collection, slow in a test process that ran many suites before.
      if (++rows % 10_000 === 0) peak = Math.max(peak, retainedHeap() - before);
    }

    expect(rows).toBe(CUSTOMERS);
    expect(inOrder).toBe(true);
    expect(bytes).toBeGreaterThan(7_000_000);
    // Buffered, the rows would take several times the CSV's size as objects; streamed, the heap
    // holds about one page (1000 rows).
    expect(peak).toBeLessThan(bytes / 4);
  }, 120_000);

  it('uses the trigram index for a substring search', async () => {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`
      explain select customer_id from ${sql.table(`${schema}.customers`)} where email ilike '%er4711@%'`.execute(db);
    expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/customers_search_email/);
    const page = await queries.search({ q: 'ER4711@' }, { sort: 'name', order: 'asc', limit: 10 });
    expect(page.items.map((item) => item.email)).toEqual(['customer4711@example.com']);
  });
});
