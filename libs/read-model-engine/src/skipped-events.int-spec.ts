import { randomUUID } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import type pg from 'pg';
import { PostgresEventStore, comparePositions, eventIdFor, parsePosition, serializePosition, type AppendResult, type NewEvent } from '#event-store';
import type { Projection } from './projection.js';
import { requestRebuild } from './projection-builds.js';
import { ProjectionRunner } from './projection-runner.js';
import { projectionStatuses } from './projection-status.js';
import { engineTestbed, type EngineTestbed } from '#testing';
import type { ProjectionsTables } from './projections.migrations.js';
import { ReadConsistency } from './read-consistency.js';
import { SkipRefusedError, skipFailedEvent } from './skipped-events.js';
import { verifyProjection } from './verify-projection.js';

interface TallyTables {
  tallies: { stream_id: string; events: number };
}

/** Counts events per stream; throws on every event labelled `poison-<name>`, in every build. */
function poisonedProjection(name: string): Projection<TallyTables> {
  return {
    name,
    version: 1,
    migrations: {
      '0001': {
        async up(db) {
          await db.schema
            .createTable('tallies')
            .addColumn('stream_id', 'text', (c) => c.primaryKey())
            .addColumn('events', 'integer', (c) => c.notNull())
            .execute();
        },
      },
    },
    async apply(db, events) {
      for (const event of events) {
        if (event.data.label === `poison-${name}`) throw new Error('cannot project poison');
        await db
          .insertInto('tallies')
          .values({ stream_id: event.streamId, events: 1 })
          .onConflict((c) => c.column('stream_id').doUpdateSet((eb) => ({ events: eb('tallies.events', '+', 1) })))
          .execute();
      }
    },
  };
}

describe('skipping a poison event', () => {
  let bed: EngineTestbed;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let db: Kysely<ProjectionsTables>;
  const runners: ProjectionRunner[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    bed = await engineTestbed();
    ({ pool, store, db } = bed);
  });
  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await bed?.close();
  });

  const start = (projection: Projection<TallyTables>, build = 0) => {
    const runner = new ProjectionRunner(store, pool, projection, {
      build,
      batchSize: 4,
      standbyRetryMs: 30,
      skipPollMs: 20,
      maxSkipPollMs: 80,
      log: (message) => logs.push(message),
      logError: (message) => logs.push(message),
    });
    runners.push(runner);
    runner.start();
    return runner;
  };
  const event = (label: string): NewEvent => {
    const commandId = randomUUID();
    return { id: eventIdFor(commandId), type: 'Tallied', schemaVersion: 1, data: { label }, metadata: { actor: 't', commandId, correlationId: commandId, causationId: commandId } };
  };
  const appendMany = async (streams: string[], count: number): Promise<AppendResult> => {
    let last: AppendResult | undefined;
    for (let i = 0; i < count; i++) last = await store.append(streams[i % streams.length], [event('ok')], 'any');
    return last!;
  };
  const checkpoint = (name: string, build = 0) =>
    db.selectFrom('projections.checkpoints').selectAll().where('name', '=', name).where('build', '=', build).executeTakeFirstOrThrow();
  const status = async (name: string, build = 0) =>
    (await db.selectFrom('projections.checkpoints').select('status').where('name', '=', name).where('build', '=', build).executeTakeFirst())?.status;
  const until = async (what: string, condition: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const tallies = async (schema: string, streams: string[]) => {
    const { rows } = await sql<{ stream_id: string; events: number }>`
      select stream_id, events from ${sql.table(`${schema}.tallies`)} where stream_id = any(${streams}) order by stream_id`.execute(db);
    return Object.fromEntries(rows.map((row) => [row.stream_id, row.events]));
  };

  /** Appends 9 events, a poison one and 6 more over two streams; the poison's position and the last append. */
  const poisonedLog = async (name: string, s: string[]) => {
    await appendMany(s, 9);
    const poison = await store.append(s[0], [event(`poison-${name}`)], 'any');
    return { poisonAt: serializePosition(poison.position), after: await appendMany(s, 6) };
  };

  it('stops at the event, resumes past it once skipped, without a restart, and verification passes it too', async () => {
    const name = 'tally-poisoned';
    const s = ['p-0', 'p-1'];
    const { poisonAt, after } = await poisonedLog(name, s);
    const projection = poisonedProjection(name);
    start(projection);

    // Stopped at the poison event, the events before it applied.
    await until('it fails', async () => (await status(name)) === 'failed');
    const [failed] = (await projectionStatuses(db, store)).filter((status) => status.name === name);
    expect(failed).toMatchObject({
      state: 'failed',
      failure: {
        eventType: 'Tallied',
        streamId: 'p-0',
        position: poisonAt,
        skipCommand: `npm run cli -- projections skip ${name} ${poisonAt} --reason "<why passing it is safe>"`,
      },
      skipped: { count: 0, latest: [] },
    });
    expect(failed.failure?.error).toMatch(/cannot project poison/);
    expect(await tallies('projection_tally_poisoned_v1', s)).toEqual({ 'p-0': 5, 'p-1': 4 });

    // Only the very event it stopped at, with a reason.
    const refused = (request: Partial<Parameters<typeof skipFailedEvent>[2]>) =>
      skipFailedEvent(db, store, { name, position: poisonAt, reason: 'not ours', ...request });
    await expect(refused({ position: after.position.major + '-0' })).rejects.toThrow(
      new SkipRefusedError(`${name} v1 stopped at ${poisonAt} (event ${failed.failure?.eventId}, Tallied), not at ${after.position.major}-0: only the event a projection stopped at can be skipped`),
    );
    await expect(refused({ reason: '  ' })).rejects.toThrow(/a skip needs a reason/);
    await expect(refused({ position: 'next' })).rejects.toThrow(/"next" is not a log position/);
    await expect(refused({ build: 7 })).rejects.toThrow(`${name} v1 build 7 does not exist`);
    await expect(refused({ name: 'tally-nothing' })).rejects.toThrow('no build of tally-nothing serves queries');
    expect(await db.selectFrom('projections.skipped_events').selectAll().execute()).toEqual([]);

    const { skipped, alreadyRecorded } = await skipFailedEvent(db, store, { name, position: poisonAt, reason: 'test data from the old importer' });
    expect(alreadyRecorded).toBe(false);
    expect(skipped).toMatchObject({ name, version: 1, build: 0, position: poisonAt, eventId: failed.failure?.eventId, streamId: 'p-0', reason: 'test data from the old importer' });
    expect(skipped.error).toMatch(/cannot project poison/);
    expect(await skipFailedEvent(db, store, { name, position: poisonAt, reason: 'again' })).toMatchObject({ alreadyRecorded: true, skipped: { reason: 'test data from the old importer' } });

    // The running runner resumes: the events after the poison applied, the poison never.
    const consistency = new ReadConsistency(db, { timeoutMs: 10_000 });
    await consistency.waitFor([name], after.position);
    const later = await appendMany(s, 4);
    await consistency.waitFor([name], later.position);
    expect(await tallies('projection_tally_poisoned_v1', s)).toEqual({ 'p-0': 5 + 3 + 2, 'p-1': 4 + 3 + 2 });
    const resumed = await checkpoint(name);
    expect(resumed).toMatchObject({ status: 'running', error: null, failed_event_id: null, failed_position: null, events_applied: 9 + 6 + 4 });
    expect(logs.some((line) => line.includes(`passed event ${failed.failure?.eventId} (Tallied) at ${poisonAt} without applying it`))).toBe(true);
    expect(await skipFailedEvent(db, store, { name, position: poisonAt, reason: 'late' }).catch((error: unknown) => error)).toEqual(
      new SkipRefusedError(`${name} v1 is running (at ${resumed.position}), not failed: only the event a projection stopped at can be skipped`),
    );

    const statuses = (await projectionStatuses(db, store)).filter((status) => status.name === name);
    for (const status of statuses) {
      expect(status).toMatchObject({ state: 'running', failure: null, skipped: { count: 1, latest: [{ position: poisonAt, reason: 'test data from the old importer' }] } });
    }
    const verified = await verifyProjection(pool, store, projection);
    expect(verified).toMatchObject({ build: 0, differences: [], skipped: [{ position: poisonAt, eventId: failed.failure?.eventId }] });

  });

  it('lets every build of the version pass a skipped event: a rebuild stopped at it resumes too, and takes over', async () => {
    const name = 'tally-rebuilt';
    const s = ['r-0', 'r-1'];
    const { poisonAt, after } = await poisonedLog(name, s);
    const projection = poisonedProjection(name);
    start(projection);
    await until('it fails', async () => (await status(name)) === 'failed');
    // A rebuild requested meanwhile stops at the same event.
    expect(await requestRebuild(db, projection)).toMatchObject({ id: { version: 1, build: 1 } });
    start(projection, 1);
    await until('the rebuild fails too', async () => (await status(name, 1)) === 'failed');
    const rebuilding = (await projectionStatuses(db, store)).find((status) => status.name === name && status.build === 1);
    expect(rebuilding?.failure?.skipCommand).toBe(`npm run cli -- projections skip ${name} ${poisonAt} --build 1 --reason "<why passing it is safe>"`);

    // Skipped for the build serving; the rebuild, waiting at the event, passes it as well and takes over.
    await skipFailedEvent(db, store, { name, position: poisonAt, reason: 'a duplicate of an imported row' });
    await until('the rebuild serves', async () => (await db.selectFrom('projections.active_versions').select('build').where('name', '=', name).executeTakeFirstOrThrow()).build === 1);
    const latest = await appendMany(s, 2);
    await new ReadConsistency(db, { timeoutMs: 10_000 }).waitFor([name], latest.position);
    expect(await tallies('projection_tally_rebuilt_v1_b1', s)).toEqual({ 'r-0': 5 + 3 + 1, 'r-1': 4 + 3 + 1 });
    expect(await checkpoint(name, 1)).toMatchObject({ status: 'running', failed_event_id: null });
    expect(comparePositions(parsePosition((await checkpoint(name, 1)).position), after.position)).toBeGreaterThan(0);
    expect(await verifyProjection(pool, store, projection)).toMatchObject({ build: 1, differences: [], skipped: [{ position: poisonAt, build: 0 }] });

    // A build started after the skip never stops there.
    expect(await requestRebuild(db, projection)).toMatchObject({ id: { version: 1, build: 2 } });
    start(projection, 2);
    await until('the next rebuild serves', async () => (await db.selectFrom('projections.active_versions').select('build').where('name', '=', name).executeTakeFirstOrThrow()).build === 2);
    expect(await tallies('projection_tally_rebuilt_v1_b2', s)).toEqual({ 'r-0': 9, 'r-1': 8 });
    expect(logs.filter((line) => line.startsWith(`${name} v1 build 2: failed`))).toEqual([]);
  });
});
