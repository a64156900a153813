import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { repStream, TASK_KINDS, type RepEvent, type TaskAssignedData } from '#sales/domain';
import type { RecordedEvent } from '#event-store';
import { ProblemException } from '#http';
import { borrowedPool, createPool } from '#postgres';
import { applyEvents, prepareProjectionTables, type Projection } from '#read-model-engine';
import { createTestDatabase, recordedEvents, type TestDatabase } from '#testing';
import { repTasksProjection, type RepTasksTables } from './rep-tasks.projection.js';
import { RepTasksQueries, type RepTasksPageQuery } from './rep-tasks.queries.js';

const recordedRepEvents = (repId: string) => recordedEvents<RepEvent>(repStream(repId), () => new Date('2026-03-01T00:00:00.000Z'));

const onboarded = (name: string, team: string): RepEvent => ({
  type: 'RepOnboarded',
  data: { name, email: 'rep@example.com', team, region: 'north', startDate: '2026-01-01', onboardedAt: '2026-01-01T08:00:00.000Z' },
});
const assigned = (taskId: string, changes: Partial<TaskAssignedData> = {}): RepEvent => ({
  type: 'TaskAssigned',
  data: { taskId, kind: 'call', title: 'Call back', dueOn: '2026-03-10', assignedAt: '2026-03-01T09:00:00.000Z', ...changes },
});
const completed = (taskId: string, outcome?: string, completedAt = '2026-03-05T16:30:00.000Z'): RepEvent => ({
  type: 'TaskCompleted',
  data: { taskId, outcome, completedAt },
});
const reassigned = (taskId: string, toRepId: string, reassignedAt = '2026-03-02T10:00:00.000Z'): RepEvent => ({
  type: 'TaskReassigned',
  data: { taskId, toRepId, reason: 'holiday', reassignedAt },
});

/** Row of `rep_tasks` with the date as text (pg would read it as local midnight). */
interface Row {
  task_id: string;
  rep_id: string;
  revision: number;
  kind: string;
  title: string;
  customer_id: string | null;
  due_on: string;
  status: string;
  assigned_at: Date;
  completed_at: Date | null;
  outcome: string | null;
  origin: string | null;
  reassigned_from_rep_id: string | null;
  reassigned_to_rep_id: string | null;
  reassigned_at: Date | null;
}

describe('rep tasks projection', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<unknown>;
  let schema: string;
  let queries: RepTasksQueries;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    schema = await prepareProjectionTables(pool, repTasksProjection);
    queries = new RepTasksQueries(db, schema);
  });

  afterAll(async () => {
    await db?.destroy();
    await pool?.end();
    await database?.drop();
  });

  const apply = (events: readonly RecordedEvent[], projection: Projection<RepTasksTables> = repTasksProjection) =>
    db.transaction().execute((trx) => applyEvents(trx, projection, events));

  /** Applies each event in a batch of its own. */
  const applyOneByOne = async (events: readonly RecordedEvent[]) => {
    for (const event of events) await apply([event]);
  };

  const rowsOf = async (repId: string, inSchema = schema) =>
    (
      await sql<Row>`
        select task_id, rep_id, revision, kind, title, customer_id, to_char(due_on, 'YYYY-MM-DD') as due_on, status, assigned_at,
          completed_at, outcome, origin, reassigned_from_rep_id, reassigned_to_rep_id, reassigned_at
        from ${sql.table(`${inSchema}.rep_tasks`)} where rep_id = ${repId} order by task_id`.execute(db)
    ).rows;

  const today = '2026-03-15';
  const everything = (repId: string) => queries.page(repId, { today, limit: 1000 });

  it('writes one open row per assigned task with what the event says, and shows the rep it belongs to', async () => {
    const repId = randomUUID();
    const rep = recordedRepEvents(repId);
    await apply([
      rep(onboarded('Grace Hopper', 'enterprise')),
      rep(assigned('t-1', { kind: 'send_proposal', title: 'Send the proposal', customerId: 'c-1', dueOn: '2026-03-20', origin: 'contract-follow-up' })),
      rep(assigned('t-2')),
    ]);

    expect(await rowsOf(repId)).toEqual([
      {
        task_id: 't-1',
        rep_id: repId,
        revision: 1,
        kind: 'send_proposal',
        title: 'Send the proposal',
        customer_id: 'c-1',
        due_on: '2026-03-20',
        status: 'open',
        assigned_at: new Date('2026-03-01T09:00:00.000Z'),
        completed_at: null,
        outcome: null,
        origin: 'contract-follow-up',
        reassigned_from_rep_id: null,
        reassigned_to_rep_id: null,
        reassigned_at: null,
      },
      expect.objectContaining({ task_id: 't-2', revision: 2, kind: 'call', customer_id: null, due_on: '2026-03-10', status: 'open', origin: null }),
    ]);
    expect((await everything(repId)).items).toEqual([
      expect.objectContaining({ taskId: 't-2', repId, repName: 'Grace Hopper', repTeam: 'enterprise', dueOn: '2026-03-10', status: 'open', overdue: true }),
      {
        taskId: 't-1',
        repId,
        repName: 'Grace Hopper',
        repTeam: 'enterprise',
        kind: 'send_proposal',
        title: 'Send the proposal',
        customerId: 'c-1',
        dueOn: '2026-03-20',
        status: 'open',
        overdue: false,
        assignedAt: '2026-03-01T09:00:00.000Z',
        completedAt: null,
        outcome: null,
        origin: 'contract-follow-up',
        reassignedFromRepId: null,
      },
    ]);
  });

  it('shows a task of a rep whose onboarding it has not seen without name and team', async () => {
    const repId = randomUUID();
    await apply([recordedRepEvents(repId)(assigned('t-1'))]);
    expect((await everything(repId)).items).toEqual([expect.objectContaining({ taskId: 't-1', repName: null, repTeam: null })]);
  });

  it('completes a task assigned in the same batch or in an earlier one', async () => {
    const repId = randomUUID();
    const rep = recordedRepEvents(repId);
    const [first, second] = [rep(assigned('t-1')), rep(assigned('t-2'))];
    await apply([first]);
    await apply([rep(completed('t-1')), second, rep(completed('t-2', 'Signed', '2026-03-06T08:00:00.000Z'))]);

    expect(await rowsOf(repId)).toEqual([
      expect.objectContaining({ task_id: 't-1', revision: 2, status: 'done', completed_at: new Date('2026-03-05T16:30:00.000Z'), outcome: null }),
      expect.objectContaining({ task_id: 't-2', revision: 3, status: 'done', completed_at: new Date('2026-03-06T08:00:00.000Z'), outcome: 'Signed' }),
    ]);
    expect((await everything(repId)).items.map((item) => [item.taskId, item.status, item.completedAt, item.overdue])).toEqual([
      ['t-1', 'done', '2026-03-05T16:30:00.000Z', false],
      ['t-2', 'done', '2026-03-06T08:00:00.000Z', false],
    ]);
  });

  describe('a reassignment moves the task to the new rep', () => {
    /** A assigns t-1, then hands it to B: the source's and the target's events, and the rest of A's stream. */
    function reassignment() {
      const [from, to] = [randomUUID(), randomUUID()];
      const [source, target] = [recordedRepEvents(from), recordedRepEvents(to)];
      const before = [source(onboarded('Ada', 'north')), source(assigned('t-1', { customerId: 'c-9' })), target(onboarded('Bob', 'south'))];
      const away = source(reassigned('t-1', to));
      const arrived = target(assigned('t-1', { customerId: 'c-9', reassignedFromRepId: from, assignedAt: '2026-03-02T10:00:00.000Z' }));
      return { from, to, before, away, arrived, target };
    }

    it.each([
      ['the source stream first, in one batch', 'source', 'one batch'],
      ['the source stream first, one event per batch', 'source', 'one by one'],
      ['the target stream first, in one batch', 'target', 'one batch'],
      ['the target stream first, one event per batch', 'target', 'one by one'],
    ] as const)('%s', async (_, first, batching) => {
      const { from, to, before, away, arrived } = reassignment();
      const log = [...before, ...(first === 'source' ? [away, arrived] : [arrived, away])];
      await (batching === 'one batch' ? apply(log) : applyOneByOne(log));

      expect(await rowsOf(from)).toEqual([
        expect.objectContaining({ task_id: 't-1', status: 'reassigned', reassigned_to_rep_id: to, reassigned_at: new Date('2026-03-02T10:00:00.000Z') }),
      ]);
      expect(await rowsOf(to)).toEqual([
        expect.objectContaining({ task_id: 't-1', status: 'open', customer_id: 'c-9', reassigned_from_rep_id: from, assigned_at: new Date('2026-03-02T10:00:00.000Z') }),
      ]);
      expect((await everything(from)).items).toEqual([]);
      expect(await queries.counts(from, today)).toEqual({ open: 0, overdue: 0, done: 0 });
      expect((await everything(to)).items).toEqual([expect.objectContaining({ taskId: 't-1', repId: to, repName: 'Bob', status: 'open', reassignedFromRepId: from })]);
      expect(await queries.counts(to, today)).toEqual({ open: 1, overdue: 1, done: 0 });
    });

    it.each([
      ['in one batch', 'one batch'],
      ['one event per batch', 'one by one'],
    ] as const)('a completion after it completes the new holder’s row only (%s)', async (_, batching) => {
      const { from, to, before, away, arrived, target } = reassignment();
      const log = [...before, arrived, target(completed('t-1', 'Done by Bob')), away];
      await (batching === 'one batch' ? apply(log) : applyOneByOne(log));

      expect(await rowsOf(from)).toEqual([expect.objectContaining({ status: 'reassigned', completed_at: null, outcome: null })]);
      expect(await rowsOf(to)).toEqual([
        expect.objectContaining({ status: 'done', completed_at: new Date('2026-03-05T16:30:00.000Z'), outcome: 'Done by Bob', reassigned_from_rep_id: from }),
      ]);
      expect(await queries.counts(to, today)).toEqual({ open: 0, overdue: 0, done: 1 });
    });
  });

  it('ignores the rep’s other events, other streams and event types it does not know', async () => {
    const repId = randomUUID();
    const rep = recordedRepEvents(repId);
    const task = rep(assigned('t-1'));
    await apply([task]);
    const before = await rowsOf(repId);
    const other = [
      rep({ type: 'CommissionPlanSet', data: { planId: 'p-1', effectiveFrom: '2026-01-01', baseRateBps: 500, categoryRates: [], tiers: [], setAt: '2026-01-01T00:00:00.000Z' } }),
      rep({ type: 'GoalSet', data: { period: 'month', periodStart: '2026-03-01', calls: 40, setAt: '2026-03-01T00:00:00.000Z' } }),
      rep({ type: 'RepDeactivated', data: { deactivatedAt: '2026-03-09T00:00:00.000Z' } }),
      { ...rep(completed('t-1')), type: 'TaskSnoozed' },
      { ...rep(completed('t-1')), streamId: `customer-${repId}` },
    ];
    await apply(other);
    expect(await rowsOf(repId)).toEqual(before);
  });

  it('is idempotent: a batch applied again, or an earlier part of it, changes nothing', async () => {
    const [from, to] = [randomUUID(), randomUUID()];
    const [source, target] = [recordedRepEvents(from), recordedRepEvents(to)];
    const events = [source(assigned('t-1')), source(assigned('t-2')), source(completed('t-1', 'ok')), source(reassigned('t-2', to)), target(assigned('t-2', { reassignedFromRepId: from }))];
    const rows = async () => [...(await rowsOf(from)), ...(await rowsOf(to))];
    await apply(events);
    const before = await rows();
    for (const again of [events, events.slice(0, 2), events.slice(2, 4), events.slice(4)]) {
      await apply(again);
      expect(await rows()).toEqual(before);
    }
  });

  it('gives the same rows whatever the batches the log is cut into', async () => {
    const log = generatedLog();
    const statuses = new Set<string>();
    let reference: unknown;
    for (const [version, batchSize] of [
      [101, 1],
      [102, 3],
      [103, 17],
      [104, log.length],
    ]) {
      const projection = { ...repTasksProjection, version };
      const versionSchema = await prepareProjectionTables(pool, projection);
      for (let i = 0; i < log.length; i += batchSize) await apply(log.slice(i, i + batchSize), projection);
      const tables = await everyRow(versionSchema);
      for (const row of tables.tasks) statuses.add(row.status);
      if (reference === undefined) reference = tables;
      else expect(tables).toEqual(reference);
    }
    // The log exercised every kind of row.
    expect([...statuses].sort()).toEqual(['done', 'open', 'reassigned']);
  });

  async function everyRow(inSchema: string) {
    const tasks = await sql<Record<string, unknown> & { status: string }>`select * from ${sql.table(`${inSchema}.rep_tasks`)} order by rep_id, task_id`.execute(db);
    const reps = await sql<Record<string, unknown>>`select * from ${sql.table(`${inSchema}.reps`)} order by rep_id`.execute(db);
    return { tasks: tasks.rows, reps: reps.rows };
  }

  /**
   * A log the domain could write: four reps assigning, completing and handing tasks on, the target's
   * `TaskAssigned` of a reassignment sometimes before the source's `TaskReassigned`.
   */
  function generatedLog(): RecordedEvent[] {
    const repIds = Array.from({ length: 4 }, () => randomUUID());
    const streams = repIds.map(recordedRepEvents);
    const log = repIds.map((_, i) => streams[i](onboarded(`Rep ${i}`, `team ${i % 2}`)));
    for (let task = 0; task < 40; task++) {
      const taskId = `t-${task}`;
      const dueOn = `2026-03-${String(1 + (task % 28)).padStart(2, '0')}`;
      let holder = task % 4;
      const seen = [holder];
      log.push(streams[holder](assigned(taskId, { kind: TASK_KINDS[task % TASK_KINDS.length], dueOn, customerId: task % 3 === 0 ? undefined : `c-${task % 5}` })));
      // Up to two hand-overs, each to a rep that never held the task.
      for (let hop = 0; hop < task % 3; hop++) {
        const next = (holder + 1 + hop) % 4;
        if (seen.includes(next)) break;
        const away = streams[holder](reassigned(taskId, repIds[next]));
        const arrived = streams[next](assigned(taskId, { dueOn, reassignedFromRepId: repIds[holder] }));
        log.push(...(task % 2 === 0 ? [away, arrived] : [arrived, away]));
        seen.push(next);
        holder = next;
      }
      if (task % 4 !== 3) log.push(streams[holder](completed(taskId, task % 2 === 0 ? 'ok' : undefined)));
    }
    return log;
  }

  describe('queries', () => {
    const repId = randomUUID();
    const other = randomUUID();
    const rep = recordedRepEvents(repId);
    /** 30 tasks, two due each day from 2026-03-08; every third done, one reassigned away. */
    const tasks = Array.from({ length: 30 }, (_, i) => ({
      taskId: `q-${String(29 - i).padStart(2, '0')}`,
      kind: TASK_KINDS[i % 3],
      customerId: i % 2 === 0 ? 'c-even' : undefined,
      dueOn: `2026-03-${String(8 + Math.floor(i / 2)).padStart(2, '0')}`,
      done: i % 3 === 0,
    }));

    beforeAll(async () => {
      await apply([
        rep(onboarded('Grace Hopper', 'enterprise')),
        ...tasks.map((task) => rep(assigned(task.taskId, { kind: task.kind, customerId: task.customerId, dueOn: task.dueOn }))),
        ...tasks.filter((task) => task.done).map((task) => rep(completed(task.taskId))),
        rep(assigned('q-away', { dueOn: '2026-03-01' })),
        rep(reassigned('q-away', other)),
        recordedRepEvents(other)(assigned('q-other', { dueOn: '2026-03-01' })),
      ]);
    });

    /** The rows a filter should yield, in the listing's order. */
    async function expected(where: RawBuilder<unknown>) {
      return (
        await sql<{ task_id: string }>`
          select task_id from ${sql.table(`${schema}.rep_tasks`)} where rep_id = ${repId} and status <> 'reassigned' and ${where}
          order by due_on, task_id`.execute(db)
      ).rows.map((row) => row.task_id);
    }

    async function readAll(query: Omit<RepTasksPageQuery, 'cursor'>, between?: (page: number) => Promise<void>) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; ; page++) {
        const result = await queries.page(repId, { ...query, cursor });
        expect(result.items.length).toBeLessThanOrEqual(query.limit);
        seen.push(...result.items.map((item) => item.taskId));
        if (result.nextCursor === null) return seen;
        cursor = result.nextCursor;
        await between?.(page);
      }
    }

    it('lists the rep’s open and done tasks, soonest due first, ties by task id, never those reassigned away or another rep’s', async () => {
      const all = await everything(repId);
      expect(all.nextCursor).toBeNull();
      expect(all.items.map((item) => item.taskId)).toEqual(await expected(sql`true`));
      expect(all.items).toHaveLength(30);
      // Two tasks a day, the later id first in the log: the order comes from the sort, not from insertion.
      expect(all.items.slice(0, 2).map((item) => [item.dueOn, item.taskId])).toEqual([
        ['2026-03-08', 'q-28'],
        ['2026-03-08', 'q-29'],
      ]);
    });

    it('filters by status: open includes overdue, overdue is open and due before today, done', async () => {
      const open = await readAll({ status: 'open', today, limit: 100 });
      expect(open).toEqual(await expected(sql`status = 'open'`));
      expect(open).toHaveLength(20);

      const overdue = await queries.page(repId, { status: 'overdue', today, limit: 100 });
      expect(overdue.items.map((item) => item.taskId)).toEqual(await expected(sql`status = 'open' and due_on < '2026-03-15'`));
      expect(overdue.items.length).toBeGreaterThan(0);
      expect(overdue.items.every((item) => item.overdue && item.status === 'open' && item.dueOn < today)).toBe(true);

      const done = await queries.page(repId, { status: 'done', today, limit: 100 });
      expect(done.items.map((item) => item.taskId)).toEqual(await expected(sql`status = 'done'`));
      expect(done.items.every((item) => item.status === 'done' && !item.overdue)).toBe(true);

      expect(await queries.counts(repId, today)).toEqual({ open: 20, overdue: overdue.items.length, done: 10 });
      // "Today" is the caller's: a day later, a day more is overdue.
      expect((await queries.counts(repId, '2026-03-16')).overdue).toBe(overdue.items.length + tasks.filter((task) => task.dueOn === '2026-03-15' && !task.done).length);
    });

    it('filters by kind, customer and due range (from inclusive, before exclusive), together with status', async () => {
      const calls = await queries.page(repId, { kind: 'call', today, limit: 100 });
      expect(calls.items.map((item) => item.taskId)).toEqual(await expected(sql`kind = 'call'`));
      const even = await queries.page(repId, { customerId: 'c-even', today, limit: 100 });
      expect(even.items.map((item) => item.taskId)).toEqual(await expected(sql`customer_id = 'c-even'`));
      const ranged = await queries.page(repId, { dueFrom: '2026-03-10', dueBefore: '2026-03-12', today, limit: 100 });
      expect(ranged.items.map((item) => item.dueOn)).toEqual(['2026-03-10', '2026-03-10', '2026-03-11', '2026-03-11']);
      const combined = await queries.page(repId, { status: 'open', kind: 'visit', customerId: 'c-even', dueFrom: '2026-03-09', today, limit: 100 });
      expect(combined.items.map((item) => item.taskId)).toEqual(
        await expected(sql`status = 'open' and kind = 'visit' and customer_id = 'c-even' and due_on >= '2026-03-09'`),
      );
      expect(combined.items.length).toBeGreaterThan(0);
    });

    it('pages without repeating or skipping a task, with or without a filter', async () => {
      expect(await readAll({ today, limit: 4 })).toEqual(await expected(sql`true`));
      expect(await readAll({ today, limit: 30 })).toHaveLength(30);
      expect(await readAll({ status: 'open', today, limit: 3 })).toEqual(await expected(sql`status = 'open'`));
      expect(await readAll({ status: 'done', today, limit: 1 })).toEqual(await expected(sql`status = 'done'`));
    });

    it('neither repeats nor skips a task while tasks are assigned between pages', async () => {
      const before = await readAll({ today, limit: 100 });
      const inserted: string[] = [];
      const seen = await readAll({ today, limit: 5 }, async (page) => {
        // Due earlier than everything, at a date already listed (sorting between existing ids), and later than everything.
        const events = [
          rep(assigned(`n-${page}-early`, { dueOn: '2026-02-01' })),
          rep(assigned(`q-${String(page).padStart(2, '0')}-tie`, { dueOn: '2026-03-12' })),
          rep(assigned(`n-${page}-late`, { dueOn: '2026-04-30' })),
        ];
        inserted.push(...events.map((event) => (event.data as { taskId: string }).taskId));
        await apply(events);
      });
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((taskId) => before.includes(taskId))).toEqual(before);
      expect(seen.every((taskId) => before.includes(taskId) || inserted.includes(taskId))).toBe(true);
      expect(seen.filter((taskId) => taskId.endsWith('-late'))).not.toHaveLength(0);
    });

    it('refuses dates and cursors it cannot read, naming the parameter', async () => {
      const cases: [Partial<RepTasksPageQuery>, string[]][] = [
        [{ today: '2026-02-30' }, ['today']],
        [{ dueFrom: '15/03/2026', dueBefore: 'tomorrow' }, ['dueFrom', 'dueBefore']],
        [{ cursor: 'nope' }, ['cursor']],
        [{ cursor: Buffer.from('["2026-03-01"]').toString('base64url') }, ['cursor']],
        [{ cursor: Buffer.from('["2026-13-01","q-01"]').toString('base64url') }, ['cursor']],
      ];
      for (const [query, fields] of cases) {
        const error = await queries.page(repId, { today, limit: 5, ...query }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ProblemException);
        expect((error as ProblemException).problem).toMatchObject({ status: 400, errors: fields.map((field) => ({ field })) });
      }
      const error = await queries.counts(repId, 'today').catch((caught: unknown) => caught);
      expect((error as ProblemException).problem).toMatchObject({ status: 400, errors: [{ field: 'today' }] });
    });
  });
});
