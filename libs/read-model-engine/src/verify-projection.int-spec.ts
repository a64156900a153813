import { randomUUID } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import type pg from 'pg';
import { PostgresEventStore, eventIdFor, type Position } from '#event-store';
import { createPool } from '#postgres';
import type { Projection } from './projection.js';
import { ProjectionRunner } from './projection-runner.js';
import { engineTestbed, type EngineTestbed, type TestDatabase } from '#testing';
import type { ProjectionsTables } from './projections.migrations.js';
import { ReadConsistency } from './read-consistency.js';
import { verifyProjection } from './verify-projection.js';

interface CountTables {
  counts: { stream_id: string; events: number };
}

function countProjection(name: string): Projection<CountTables> {
  return {
    name,
    version: 1,
    migrations: {
      '0001': {
        async up(db) {
          await db.schema
            .createTable('counts')
            .addColumn('stream_id', 'text', (c) => c.primaryKey())
            .addColumn('events', 'integer', (c) => c.notNull())
            .execute();
        },
      },
      // A second step, so each verification migrates its scratch schema for a while.
      '0002': {
        async up(db) {
          await db.schema.createIndex('counts_events').on('counts').column('events').execute();
        },
      },
    },
    async apply(db, events) {
      for (const event of events) {
        await db
          .insertInto('counts')
          .values({ stream_id: event.streamId, events: 1 })
          .onConflict((c) => c.column('stream_id').doUpdateSet((eb) => ({ events: eb('counts.events', '+', 1) })))
          .execute();
      }
    },
  };
}

describe('verifying projections concurrently', () => {
  let bed: EngineTestbed;
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let db: Kysely<ProjectionsTables>;
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    bed = await engineTestbed(40);
    ({ database, pool, store, db } = bed);
  });
  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await bed?.close();
  });

  it('never lets one verification’s scratch schema get in another’s way, for the same projection or another', async () => {
    const projections = [countProjection('count-one'), countProjection('count-two')];
    let last: Position | undefined;
    for (let i = 0; i < 30; i++) {
      const commandId = randomUUID();
      const appended = await store.append(`c-${i % 4}`, [
        { id: eventIdFor(commandId), type: 'Counted', schemaVersion: 1, data: {}, metadata: { actor: 't', commandId, correlationId: commandId, causationId: commandId } },
      ], 'any');
      last = appended.position;
    }
    for (const projection of projections) {
      const runner = new ProjectionRunner(store, pool, projection, { standbyRetryMs: 20 });
      runners.push(runner);
      runner.start();
    }
    await new ReadConsistency(db, { timeoutMs: 10_000 }).waitFor(
      projections.map((p) => p.name),
      last!,
    );

    // A database holds many read models' tables: each migration's look at the catalog takes a while.
    for (let n = 0; n < 20; n++) {
      await sql`create schema ${sql.id(`other_model_${n}`)}`.execute(db);
      for (let t = 0; t < 5; t++) await sql`create table ${sql.table(`other_model_${n}.t${t}`)} (id text primary key, a int, b text, c timestamptz)`.execute(db);
    }

    // Eight clients, each verifying again as soon as its last answer came: starts and ends overlap.
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        for (let round = 0; round < 8; round++) {
          try {
            const verification = await verifyProjection(pool, store, projections[(client + round) % 2]);
            expect(verification).toMatchObject({ differences: [], truncated: false });
          } catch (error) {
            failures.push(String(error));
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.schemata where schema_name like 'verify_%'`.execute(db);
    expect(rows[0].n).toBe(0);
  });

  it('takes verifications in turns on a small pool instead of starving it', async () => {
    // Eight at once on six connections: each holds two at a time, so unbounded they would all wait on each other.
    const small = createPool(database.url, { max: 6 });
    try {
      const verifications = await Promise.all(Array.from({ length: 8 }, () => verifyProjection(small, store, countProjection('count-one'))));
      expect(verifications.map((verification) => verification.differences)).toEqual(Array.from({ length: 8 }, () => []));
    } finally {
      await small.end();
    }
  });
});
