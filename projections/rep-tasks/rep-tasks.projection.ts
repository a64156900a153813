import { sql, type ColumnType, type Insertable, type Kysely, type Migration } from 'kysely';
import { customerIdOfStream } from '#customers/domain';
import { repIdOfStream, toRepEvent, type RepEvent, type TaskAssignedData, type TaskKind } from '#sales/domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#read-model-engine';
import { inChunks, insertRows, keyOf } from '#postgres';
import type { CalendarDate } from '../shared/date-columns.js';
import { textOrNull } from '../shared/personal-values.js';

/** `reassigned`: the task left this rep for another (whose own row holds it now); not listed as theirs. */
export type TaskRowStatus = 'open' | 'done' | 'reassigned';

/**
 * One row per task per holder. Every event of a rep's stream touches only that rep's rows, so the
 * rows never depend on how the log interleaves two reps' streams (a reassignment's `TaskReassigned`
 * and `TaskAssigned` may come in either order).
 */
export interface RepTasksTable {
  rep_id: string;
  task_id: string;
  /** Revision (in the rep's stream) of the last event applied: one at or below it was applied already. */
  revision: number;
  kind: TaskKind;
  /** Null once the task's customer is erased (the title is theirs: it names or describes them). */
  title: string | null;
  customer_id: string | null;
  /** A `date`: pg reads it as local midnight, so queries read it as text (calendarDate). */
  due_on: CalendarDate;
  status: TaskRowStatus;
  assigned_at: ColumnType<Date, string, string>;
  completed_at: ColumnType<Date | null, string | null, string | null>;
  outcome: string | null;
  /** What caused the task when not a person, e.g. `contract-follow-up`. */
  origin: string | null;
  reassigned_from_rep_id: string | null;
  reassigned_to_rep_id: string | null;
  reassigned_at: ColumnType<Date | null, string | null, string | null>;
}

/** The reps as onboarded, for showing a holder's name and team. */
export interface RepsTable {
  rep_id: string;
  name: string;
  team: string;
}

export interface RepTasksTables {
  rep_tasks: RepTasksTable;
  reps: RepsTable;
}

export const REP_TASKS = 'rep-tasks';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('reps')
      .addColumn('rep_id', 'text', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('team', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('rep_tasks')
      .addColumn('rep_id', 'text', (column) => column.notNull())
      .addColumn('task_id', 'text', (column) => column.notNull())
      .addColumn('revision', 'bigint', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('title', 'text', (column) => column.notNull())
      .addColumn('customer_id', 'text')
      .addColumn('due_on', 'date', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull().check(sql`status in ('open', 'done', 'reassigned')`))
      .addColumn('assigned_at', 'timestamptz', (column) => column.notNull())
      .addColumn('completed_at', 'timestamptz')
      .addColumn('outcome', 'text')
      .addColumn('origin', 'text')
      .addColumn('reassigned_from_rep_id', 'text')
      .addColumn('reassigned_to_rep_id', 'text')
      .addColumn('reassigned_at', 'timestamptz')
      .addPrimaryKeyConstraint('rep_tasks_pkey', ['rep_id', 'task_id'])
      .execute();
    // The list query: one rep, one status (or two), keyset on (due_on, task_id); also the counts.
    await db.schema.createIndex('rep_tasks_by_rep_status_due').on('rep_tasks').columns(['rep_id', 'status', 'due_on', 'task_id']).execute();
  },
};

/**
 * The tasks of each sales rep. A batch is folded in memory into at most one change per task row
 * (a new assignment as a whole row, a completion or reassignment as a patch of the row already
 * stored), then written with one upsert per thousand rows and one update for all patches.
 */
const erasableTitles: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('rep_tasks').alterColumn('title', (column) => column.dropNotNull()).execute();
    await db.schema.createIndex('rep_tasks_by_customer').on('rep_tasks').column('customer_id').execute();
  },
};

export const repTasksProjection: Projection<RepTasksTables> = {
  name: REP_TASKS,
  version: 1,
  migrations: { '0001-rep-tasks': initial, '0002-erasable-titles': erasableTitles },
  async apply(db, events) {
    const { reps, assigned, patches, erasedCustomers } = foldBatch(events);
    await insertRows(db, 'reps', reps, { key: ['rep_id'], set: ['name', 'team'] });
    await inChunks(assigned, (rows) =>
      db
        .insertInto('rep_tasks')
        .values(rows)
        .onConflict((conflict) =>
          conflict
            .columns(['rep_id', 'task_id'])
            .doUpdateSet((eb) => Object.fromEntries(UPDATED_COLUMNS.map((column) => [column, eb.ref(`excluded.${column}`)])))
            // A replayed batch leaves rows that later events already changed as they are.
            .where((eb) => eb('rep_tasks.revision', '<', eb.ref('excluded.revision'))),
        )
        .execute(),
    );
    if (patches.length > 0) await applyPatches(db, patches);
    // After the batch's own rows are in; the events read after the erasure carry none of it either.
    if (erasedCustomers.length > 0) {
      await db.updateTable('rep_tasks').set({ title: null, outcome: null }).where('customer_id', 'in', erasedCustomers).execute();
    }
  },
};

type TaskRow = Required<Insertable<RepTasksTable>>;

const UPDATED_COLUMNS = [
  'revision',
  'kind',
  'title',
  'customer_id',
  'due_on',
  'status',
  'assigned_at',
  'completed_at',
  'outcome',
  'origin',
  'reassigned_from_rep_id',
  'reassigned_to_rep_id',
  'reassigned_at',
] as const satisfies readonly (keyof TaskRow)[];

/**
 * What a batch's completions and reassignments change in a row assigned in an earlier batch; a
 * null time means "not in this batch" (the stored value stays).
 */
interface TaskPatch {
  rep_id: string;
  task_id: string;
  revision: number;
  status: TaskRowStatus;
  completed_at: string | null;
  outcome: string | null;
  reassigned_to_rep_id: string | null;
  reassigned_at: string | null;
}

type PatchedColumns = Pick<TaskPatch, 'status'> & Partial<Pick<TaskPatch, 'completed_at' | 'outcome' | 'reassigned_to_rep_id' | 'reassigned_at'>>;

interface FoldedBatch {
  reps: RepsTable[];
  assigned: TaskRow[];
  patches: TaskPatch[];
  erasedCustomers: string[];
}

/** The batch as at most one write per row, each the net effect of the row's events in log order. */
function foldBatch(events: readonly RecordedEvent[]): FoldedBatch {
  const reps = new Map<string, RepsTable>();
  const tasks = new Map<string, { row: TaskRow } | { patch: TaskPatch }>();
  const erasedCustomers = new Set<string>();
  for (const event of events) {
    const customerId = customerIdOfStream(event.streamId);
    if (customerId !== undefined && event.type === 'CustomerErased') erasedCustomers.add(customerId);
    const repId = repIdOfStream(event.streamId);
    const repEvent = repId === undefined ? undefined : toRepEvent(event);
    if (repId === undefined || repEvent === undefined) continue;
    const { revision } = event;
    if (repEvent.type === 'RepOnboarded') {
      reps.set(repId, { rep_id: repId, name: repEvent.data.name, team: repEvent.data.team });
    } else if (repEvent.type === 'TaskAssigned') {
      // A row's first event (the domain never assigns a task id to a rep twice).
      tasks.set(taskKey(repId, repEvent.data.taskId), { row: assignedRow(repId, revision, repEvent.data) });
    } else {
      const change = patchOf(repEvent);
      if (change === undefined) continue;
      const key = taskKey(repId, change.taskId);
      const before = tasks.get(key);
      if (before === undefined) tasks.set(key, { patch: { rep_id: repId, task_id: change.taskId, revision, ...NOT_IN_BATCH, ...change.columns } });
      else if ('row' in before) tasks.set(key, { row: { ...before.row, ...change.columns, revision } });
      else tasks.set(key, { patch: { ...before.patch, ...change.columns, revision } });
    }
  }
  const writes = [...tasks.values()];
  return {
    reps: [...reps.values()],
    assigned: writes.flatMap((write) => ('row' in write ? [write.row] : [])),
    patches: writes.flatMap((write) => ('patch' in write ? [write.patch] : [])),
    erasedCustomers: [...erasedCustomers],
  };
}

const NOT_IN_BATCH = { completed_at: null, outcome: null, reassigned_to_rep_id: null, reassigned_at: null } as const;

const taskKey = (repId: string, taskId: string) => keyOf(repId, taskId);

function assignedRow(repId: string, revision: number, data: TaskAssignedData): TaskRow {
  return {
    rep_id: repId,
    task_id: data.taskId,
    revision,
    kind: data.kind,
    title: textOrNull(data.title),
    customer_id: data.customerId ?? null,
    due_on: data.dueOn,
    status: 'open',
    assigned_at: data.assignedAt,
    completed_at: null,
    outcome: null,
    origin: data.origin ?? null,
    reassigned_from_rep_id: data.reassignedFromRepId ?? null,
    reassigned_to_rep_id: null,
    reassigned_at: null,
  };
}

function patchOf(event: RepEvent): { taskId: string; columns: PatchedColumns } | undefined {
  switch (event.type) {
    case 'TaskCompleted':
      return { taskId: event.data.taskId, columns: { status: 'done', completed_at: event.data.completedAt, outcome: textOrNull(event.data.outcome) } };
    case 'TaskReassigned':
      return { taskId: event.data.taskId, columns: { status: 'reassigned', reassigned_to_rep_id: event.data.toRepId, reassigned_at: event.data.reassignedAt } };
    default:
      // The rep's deactivation, commission plans and goals are other read models' business.
      return undefined;
  }
}


/** One statement for every patch of the batch. */
async function applyPatches(db: Kysely<RepTasksTables>, patches: readonly TaskPatch[]): Promise<void> {
  await db
    .updateTable('rep_tasks')
    .from(
      sql<TaskPatch>`(
        select * from jsonb_to_recordset(${JSON.stringify(patches)}::jsonb) as patch(
          rep_id text, task_id text, revision bigint, status text,
          completed_at timestamptz, outcome text, reassigned_to_rep_id text, reassigned_at timestamptz
        )
      )`.as('patch'),
    )
    .set((eb) => ({
      revision: eb.ref('patch.revision'),
      status: eb.ref('patch.status'),
      // Both sides are timestamptz here; the column's write type is the ISO text the events carry.
      completed_at: eb.fn.coalesce('patch.completed_at', 'rep_tasks.completed_at').$castTo<string | null>(),
      // The outcome belongs to the completion: it changes only with one.
      outcome: eb.case().when('patch.completed_at', 'is not', null).then(eb.ref('patch.outcome')).else(eb.ref('rep_tasks.outcome')).end(),
      reassigned_to_rep_id: eb.fn.coalesce('patch.reassigned_to_rep_id', 'rep_tasks.reassigned_to_rep_id'),
      reassigned_at: eb.fn.coalesce('patch.reassigned_at', 'rep_tasks.reassigned_at').$castTo<string | null>(),
    }))
    .whereRef('rep_tasks.rep_id', '=', 'patch.rep_id')
    .whereRef('rep_tasks.task_id', '=', 'patch.task_id')
    // A replayed batch changes nothing.
    .whereRef('rep_tasks.revision', '<', 'patch.revision')
    .execute();
}
