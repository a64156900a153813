import { randomUUID } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import type pg from 'pg';
import { PostgresEventStore, eventIdFor, type AppendResult, type NewEvent, type RecordedEvent } from '#event-store';
import { RetryLaterError, type Projection } from './projection.js';
import { requestRebuild } from './projection-builds.js';
import { ProjectionRunner } from './projection-runner.js';
import { ProjectionSupervisor } from './projection-supervisor.js';
import { engineTestbed, type EngineTestbed } from '#testing';
import type { ProjectionsTables } from './projections.migrations.js';
import { ProjectionLagError, ReadConsistency } from './read-consistency.js';
import { verifyProjection } from './verify-projection.js';

// Counts events per stream by incrementing: unlike an idempotent upsert, an event applied twice or
// lost shows in the totals.
interface TallyTables {
  tallies: { stream_id: string; events: number; last_revision: number };
}
/**
 * `failOn`: a label whose event always fails; `failBatches`: how many multi-event batches fail once
 * each (a passing fault); `away`: while `down`, every batch asks to be retried later (a dependency is away).
 */
function tallyProjection(
  name: string,
  options: { failOn?: string; failBatches?: { count: number }; away?: { down: boolean; attempts: number } } = {},
): Projection<TallyTables> {
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
            .addColumn('last_revision', 'integer', (c) => c.notNull())
            .execute();
        },
      },
    },
    async apply(db, events) {
      if (options.away !== undefined) {
        options.away.attempts++;
        if (options.away.down) throw new RetryLaterError('dependency unreachable');
      }
      if (options.failBatches !== undefined && events.length > 1 && options.failBatches.count-- > 0) throw new Error('connection reset (once)');
      for (const event of events) {
        if (options.failOn !== undefined && event.data.label === options.failOn) throw new Error(`cannot project ${options.failOn}`);
        await db
          .insertInto('tallies')
          .values({ stream_id: event.streamId, events: 1, last_revision: event.revision })
          .onConflict((c) => c.column('stream_id').doUpdateSet((eb) => ({ events: eb('tallies.events', '+', 1), last_revision: event.revision })))
          .execute();
      }
    },
  };
}

describe('projection runner', () => {
  let bed: EngineTestbed;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let db: Kysely<ProjectionsTables>;
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    bed = await engineTestbed();
    ({ pool, store, db } = bed);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });
  afterAll(async () => {
    await bed?.close();
  });

  const start = (projection: Projection<TallyTables>, batchSize = 7, logError?: (message: string) => void) => {
    const runner = new ProjectionRunner(store, pool, projection, { batchSize, standbyRetryMs: 50, retryLaterMs: 20, maxRetryLaterMs: 80, logError });
    runners.push(runner);
    runner.start();
    return runner;
  };
  const event = (label: string): NewEvent => {
    const commandId = randomUUID();
    return { id: eventIdFor(commandId), type: 'Tallied', schemaVersion: 1, data: { label }, metadata: { actor: 't', commandId, correlationId: commandId, causationId: commandId } };
  };
  /** Appends `count` events spread over `streams`, one append each; the last append's result. */
  const appendMany = async (streams: string[], count: number, label = 'ok'): Promise<AppendResult> => {
    let last: AppendResult | undefined;
    for (let i = 0; i < count; i++) last = await store.append(streams[i % streams.length], [event(label)], 'any');
    return last!;
  };
  /** The tallies of `streams` (the log also holds the other tests' streams). */
  const tallies = async (name: string, streams: string[], version = 1) => {
    const { rows } = await sql<{ stream_id: string; events: number }>`
      select stream_id, events from ${sql.id(`projection_${name.replaceAll('-', '_')}_v${version}`)}.tallies
      where stream_id = any(${streams}) order by stream_id`.execute(db);
    return Object.fromEntries(rows.map((row) => [row.stream_id, row.events]));
  };
  /** Every event applied was counted once: the checkpoint's count equals the sum of all tallies. */
  const expectAppliedOnce = async (name: string) => {
    const { rows } = await sql<{ total: number }>`
      select coalesce(sum(events), 0)::int as total from ${sql.id(`projection_${name.replaceAll('-', '_')}_v1`)}.tallies`.execute(db);
    expect((await checkpoint(name)).events_applied).toBe(rows[0].total);
  };
  /** What each stream holds: what its tally must say. */
  const expectedTallies = async (names: string[]) =>
    Object.fromEntries(await Promise.all(names.map(async (stream) => [stream, (await store.readStream(stream)).length] as const)));
  const checkpoint = (name: string) =>
    db.selectFrom('projections.checkpoints').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
  const consistency = () => new ReadConsistency(db, { timeoutMs: 10_000 });
  const streams = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  it('catches up in batches, then follows new events live, checkpointing each batch', async () => {
    const s = streams(`a${randomUUID().slice(0, 6)}`, 3);
    await appendMany(s, 50);
    const projection = tallyProjection('tally-catch-up');
    start(projection);
    const live = await appendMany(s, 10);
    await consistency().waitFor(['tally-catch-up'], live.position);
    expect(await tallies('tally-catch-up', s)).toEqual(await expectedTallies(s));
    await expectAppliedOnce('tally-catch-up');
    expect((await checkpoint('tally-catch-up')).status).toBe('running');
  });

  it('resumes from its checkpoint after a restart: nothing lost, nothing applied twice', async () => {
    const s = streams(`r${randomUUID().slice(0, 6)}`, 4);
    const projection = tallyProjection('tally-restart');
    const first = start(projection, 5);
    await consistency().waitFor(['tally-restart'], (await appendMany(s, 37)).position);
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    const meanwhile = await appendMany(s, 23);
    start(projection, 5);
    await consistency().waitFor(['tally-restart'], meanwhile.position);
    expect(await tallies('tally-restart', s)).toEqual(await expectedTallies(s));
    await expectAppliedOnce('tally-restart');
  });

  it('lets one of two racing processes own the projection, and the other take over when it stops', async () => {
    const s = streams(`o${randomUUID().slice(0, 6)}`, 2);
    const projection = tallyProjection('tally-owners');
    const [one, two] = [start(projection, 3), start(projection, 3)];
    await consistency().waitFor(['tally-owners'], (await appendMany(s, 40)).position);
    // Stop whichever owns it; the other takes over from the checkpoint.
    await one.stop();
    const later = await appendMany(s, 20);
    await consistency().waitFor(['tally-owners'], later.position);
    expect(await tallies('tally-owners', s)).toEqual(await expectedTallies(s));
    await expectAppliedOnce('tally-owners');
    await two.stop();
    runners.length = 0;
  });

  it('stops at an event its handler cannot apply, reports it, and resumes from there when restarted', async () => {
    const s = streams(`f${randomUUID().slice(0, 6)}`, 2);
    await appendMany(s, 9);
    const poison = await store.append(s[0], [event('poison')], 'any');
    const after = await appendMany(s, 6);
    const failing = start(tallyProjection('tally-failing', { failOn: 'poison' }), 4);

    const deadline = Date.now() + 10_000;
    const status = async () => (await db.selectFrom('projections.checkpoints').select('status').where('name', '=', 'tally-failing').executeTakeFirst())?.status;
    while ((await status()) !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const failed = await checkpoint('tally-failing');
    const [poisoned] = (await store.readStream(s[0], { fromRevision: poison.revision, limit: 1 })) as RecordedEvent[];
    expect(failed).toMatchObject({ status: 'failed', failed_event_id: poisoned.id, failed_event_type: 'Tallied' });
    expect(failed.error).toMatch(/cannot project poison/);
    expect(await tallies('tally-failing', s)).toEqual({ [s[0]]: 5, [s[1]]: 4 });
    await expectAppliedOnce('tally-failing');
    await expect(new ReadConsistency(db, { timeoutMs: 200 }).waitFor(['tally-failing'], after.position)).rejects.toBeInstanceOf(ProjectionLagError);

    // Fixed code, same projection: it resumes at the event it stopped on.
    await failing.stop();
    runners.splice(runners.indexOf(failing), 1);
    start(tallyProjection('tally-failing'), 4);
    await consistency().waitFor(['tally-failing'], after.position);
    expect(await tallies('tally-failing', s)).toEqual(await expectedTallies(s));
    await expectAppliedOnce('tally-failing');
    expect(await checkpoint('tally-failing')).toMatchObject({ status: 'running', failed_event_id: null });
  });

  it('applies a batch one event at a time when the batch fails but no single event does, and carries on', async () => {
    const s = streams(`t${randomUUID().slice(0, 6)}`, 3);
    const last = await appendMany(s, 20);
    start(tallyProjection('tally-transient', { failBatches: { count: 1 } }), 8);
    await consistency().waitFor(['tally-transient'], last.position);
    expect(await tallies('tally-transient', s)).toEqual(await expectedTallies(s));
    await expectAppliedOnce('tally-transient');
    expect(await checkpoint('tally-transient')).toMatchObject({ status: 'running', failed_event_id: null });
  });

  it('waits and retries from its checkpoint while its handler asks to retry later, logging once, then carries on', async () => {
    const s = streams(`l${randomUUID().slice(0, 6)}`, 3);
    const before = await appendMany(s, 10);
    const away = { down: false, attempts: 0 };
    const errors: string[] = [];
    start(tallyProjection('tally-later', { away }), 4, (message) => errors.push(message));
    await consistency().waitFor(['tally-later'], before.position);
    const applied = (await checkpoint('tally-later')).events_applied;

    away.down = true;
    const during = await appendMany(s, 9);
    const deadline = Date.now() + 10_000;
    const status = async () => (await checkpoint('tally-later')).status;
    while (((await status()) !== 'waiting' || away.attempts < 8) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const waiting = await checkpoint('tally-later');
    expect(waiting).toMatchObject({ status: 'waiting', error: 'dependency unreachable', failed_event_id: null });
    // Nothing of the batches that asked to wait was applied, however often they were tried.
    expect(waiting.events_applied).toBe(applied);
    await expect(new ReadConsistency(db, { timeoutMs: 100 }).waitFor(['tally-later'], during.position)).rejects.toBeInstanceOf(ProjectionLagError);
    expect(errors.filter((message) => message.includes('waiting'))).toHaveLength(1);

    // Back: the batch is applied again with no new event in the log to wake the runner.
    away.down = false;
    await consistency().waitFor(['tally-later'], during.position);
    const after = await appendMany(s, 5);
    await consistency().waitFor(['tally-later'], after.position);
    expect(await tallies('tally-later', s)).toEqual(await expectedTallies(s));
    await expectAppliedOnce('tally-later');
    expect(await checkpoint('tally-later')).toMatchObject({ status: 'running', error: null });
  });

  it('rebuilds a new version from the start while the old one serves, then switches to it and drops the old tables', async () => {
    const s = streams(`v${randomUUID().slice(0, 6)}`, 3);
    const v1 = start(tallyProjection('tally-rebuild'));
    await consistency().waitFor(['tally-rebuild'], (await appendMany(s, 30)).position);
    await v1.stop();
    runners.splice(runners.indexOf(v1), 1);

    const v2: Projection<TallyTables> = { ...tallyProjection('tally-rebuild'), version: 2 };
    start(v2, 50);
    const last = await appendMany(s, 5);
    const activeVersion = async () =>
      (await db.selectFrom('projections.active_versions').select('version').where('name', '=', 'tally-rebuild').executeTakeFirstOrThrow()).version;
    const deadline = Date.now() + 10_000;
    while ((await activeVersion()) !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await activeVersion()).toBe(2);

    await consistency().waitFor(['tally-rebuild'], last.position);
    expect(await tallies('tally-rebuild', s, 2)).toEqual(await expectedTallies(s));
    const { rows: schemas } = await sql<{ name: string }>`
      select schema_name as name from information_schema.schemata where schema_name like 'projection_tally_rebuild_%'`.execute(db);
    expect(schemas.map((row) => row.name)).toEqual(['projection_tally_rebuild_v2']);
    expect((await db.selectFrom('projections.checkpoints').select('version').where('name', '=', 'tally-rebuild').execute()).map((r) => r.version)).toEqual([2]);
  });

  it('runs a rebuild of the same version requested while it serves, switches to it, and stops the old build', async () => {
    const s = streams(`b${randomUUID().slice(0, 6)}`, 3);
    const projection = tallyProjection('tally-builds');
    const supervisor = new ProjectionSupervisor(store, pool, [projection], { batchSize: 6, pollMs: 30, standbyRetryMs: 30 });
    supervisor.start();
    try {
      await consistency().waitFor(['tally-builds'], (await appendMany(s, 30)).position);
      expect(await requestRebuild(db, projection)).toEqual({ id: { version: 1, build: 1 }, started: true });
      expect(await requestRebuild(db, projection)).toEqual({ id: { version: 1, build: 1 }, started: false });
      const serving = async () => db.selectFrom('projections.active_versions').select(['version', 'build']).where('name', '=', 'tally-builds').executeTakeFirstOrThrow();
      const deadline = Date.now() + 10_000;
      while ((await serving()).build !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await serving()).toEqual({ version: 1, build: 1 });

      const last = await appendMany(s, 12);
      await consistency().waitFor(['tally-builds'], last.position);
      const { rows } = await sql<{ stream_id: string; events: number }>`
        select stream_id, events from projection_tally_builds_v1_b1.tallies where stream_id = any(${s}) order by stream_id`.execute(db);
      expect(Object.fromEntries(rows.map((row) => [row.stream_id, row.events]))).toEqual(await expectedTallies(s));
      const { rows: schemas } = await sql<{ name: string }>`
        select schema_name as name from information_schema.schemata where schema_name like 'projection_tally_builds_%'`.execute(db);
      expect(schemas.map((row) => row.name)).toEqual(['projection_tally_builds_v1_b1']);
      expect(await db.selectFrom('projections.checkpoints').select(['version', 'build']).where('name', '=', 'tally-builds').execute()).toEqual([{ version: 1, build: 1 }]);
    } finally {
      await supervisor.stop();
    }

    // A process still running older code than the version serving builds nothing.
    await db.updateTable('projections.active_versions').set({ version: 2, build: 0 }).where('name', '=', 'tally-builds').execute();
    const outdated = new ProjectionSupervisor(store, pool, [projection], { pollMs: 30 });
    outdated.start();
    await new Promise((r) => setTimeout(r, 300));
    await outdated.stop();
    const { rows: after } = await sql<{ name: string }>`
      select schema_name as name from information_schema.schemata where schema_name like 'projection_tally_builds_%'`.execute(db);
    expect(after.map((row) => row.name)).toEqual(['projection_tally_builds_v1_b1']);
    await expect(requestRebuild(db, projection)).rejects.toThrow(/tally-builds v2 serves, newer than this code's v1/);
  });

  it('verifies the live tables against a rebuild from the log, and reports every row that differs', async () => {
    const s = streams(`w${randomUUID().slice(0, 6)}`, 3);
    const projection = tallyProjection('tally-verify');
    start(projection, 4);
    await consistency().waitFor(['tally-verify'], (await appendMany(s, 25)).position);
    // Verifying while the projector keeps applying new events: still compared at one checkpoint.
    const appending = appendMany(s, 15);
    expect(await verifyProjection(pool, store, projection)).toMatchObject({ projection: 'tally-verify', tables: ['tallies'], differences: [] });
    await appending;

    await sql`update projection_tally_verify_v1.tallies set events = events + 1 where stream_id = ${s[1]}`.execute(db);
    const { differences } = await verifyProjection(pool, store, projection);
    expect(differences).toHaveLength(2);
    expect(differences.find((d) => d.only === 'live')?.row).toMatchObject({ stream_id: s[1] });
    expect(differences.find((d) => d.only === 'rebuilt')?.row).toMatchObject({ stream_id: s[1] });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.schemata where schema_name like 'verify_%'`.execute(db);
    expect(rows[0].n).toBe(0);
  });
});
