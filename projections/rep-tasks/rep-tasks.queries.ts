import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { isCalendarDate } from '#domain';
import { type TaskKind } from '#sales/domain';
import { validationProblem } from '#http';
import { decodeCursor, encodeCursor, invalidCursor } from '#read-model-engine';
import { calendarDate, dateValue } from '../shared/date-columns.js';
import type { RepTasksTables } from './rep-tasks.projection.js';

/** `open` includes the overdue ones; `overdue`: open and due before today. */
export const TASK_STATUS_FILTERS = ['open', 'overdue', 'done'] as const;
export type TaskStatusFilter = (typeof TASK_STATUS_FILTERS)[number];

export interface RepTasksFilters {
  /** Open and done tasks when absent (never those reassigned away). */
  readonly status?: TaskStatusFilter;
  readonly kind?: TaskKind;
  readonly customerId?: string;
  /** Due on or after (calendar date, inclusive). */
  readonly dueFrom?: string;
  /** Due before (calendar date, exclusive). */
  readonly dueBefore?: string;
}

export interface RepTasksPageQuery extends RepTasksFilters {
  /** The caller's calendar date: a task is overdue when still open and due before it. */
  readonly today: string;
  readonly limit: number;
  /** From the previous page's `nextCursor`. */
  readonly cursor?: string;
}

/** A task as its holder's list shows it; times are ISO 8601 in UTC, dates `YYYY-MM-DD`. */
export interface RepTaskItem {
  readonly taskId: string;
  readonly repId: string;
  /** Null until the rep's onboarding is projected. */
  readonly repName: string | null;
  readonly repTeam: string | null;
  readonly kind: TaskKind;
  readonly title: string | null;
  readonly customerId: string | null;
  readonly dueOn: string;
  readonly status: 'open' | 'done';
  readonly overdue: boolean;
  readonly assignedAt: string;
  readonly completedAt: string | null;
  readonly outcome: string | null;
  readonly origin: string | null;
  readonly reassignedFromRepId: string | null;
}

export interface RepTasksPage {
  readonly items: RepTaskItem[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

/** A rep's tasks by status; `open` includes `overdue`. */
export interface RepTaskCounts {
  readonly open: number;
  readonly overdue: number;
  readonly done: number;
}

/** Where a page ended: the last row's due date and task id. */
interface After {
  readonly dueOn: string;
  readonly taskId: string;
}

type TasksBuilder = ExpressionBuilder<RepTasksTables, 'rep_tasks'>;

/** The one definition of overdue, for the filter, the item flag and the count. */
const overdue = (eb: TasksBuilder, today: string) => eb.and([eb('rep_tasks.status', '=', 'open'), eb('rep_tasks.due_on', '<', dateValue(today))]);

/**
 * Reads reps' tasks. Lists are keyset pages on (due_on, task_id), soonest due first: a task
 * assigned while a client pages lands before or after its cursor and never shifts the rows still
 * to come, so none is repeated or skipped.
 */
export class RepTasksQueries {
  private readonly db: Kysely<RepTasksTables>;

  /** `db`: any Kysely over the database; `schema`: the projection version's schema to read (the active one, for the API). */
  constructor(db: { withSchema(schema: string): object }, schema: string) {
    this.db = db.withSchema(schema) as Kysely<RepTasksTables>;
  }

  async page(repId: string, query: RepTasksPageQuery): Promise<RepTasksPage> {
    checkDates({ today: query.today, dueFrom: query.dueFrom, dueBefore: query.dueBefore });
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, readCursor);

    const rows = await this.db
      .selectFrom('rep_tasks')
      .leftJoin('reps', 'reps.rep_id', 'rep_tasks.rep_id')
      .select([
        'rep_tasks.task_id',
        'rep_tasks.rep_id',
        'reps.name as rep_name',
        'reps.team as rep_team',
        'rep_tasks.kind',
        'rep_tasks.title',
        'rep_tasks.customer_id',
        'rep_tasks.status',
        'rep_tasks.assigned_at',
        'rep_tasks.completed_at',
        'rep_tasks.outcome',
        'rep_tasks.origin',
        'rep_tasks.reassigned_from_rep_id',
      ])
      // The date as text: pg would read it as a JS Date at local midnight. PostgreSQL's booleans are booleans (SqlBool allows 0 | 1).
      .select((eb) => [calendarDate('rep_tasks.due_on').as('due_on'), overdue(eb, query.today).$castTo<boolean>().as('overdue')])
      .where((eb) => eb.and([...conditions(eb, repId, query), ...(after === undefined ? [] : [beyond(eb, after)])]))
      .orderBy('rep_tasks.due_on')
      .orderBy('rep_tasks.task_id')
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({
        taskId: row.task_id,
        repId: row.rep_id,
        repName: row.rep_name,
        repTeam: row.rep_team,
        kind: row.kind,
        title: row.title,
        customerId: row.customer_id,
        dueOn: row.due_on,
        // Reassigned rows are filtered out by `conditions`.
        status: row.status as RepTaskItem['status'],
        overdue: row.overdue,
        assignedAt: row.assigned_at.toISOString(),
        completedAt: row.completed_at?.toISOString() ?? null,
        outcome: row.outcome,
        origin: row.origin,
        reassignedFromRepId: row.reassigned_from_rep_id,
      })),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor([last.due_on, last.task_id]) : null,
    };
  }

  async counts(repId: string, today: string): Promise<RepTaskCounts> {
    checkDates({ today });
    const row = await this.db
      .selectFrom('rep_tasks')
      .select((eb) => [
        eb.fn.countAll<number>().filterWhere('rep_tasks.status', '=', 'open').as('open'),
        eb.fn.countAll<number>().filterWhere(overdue(eb, today)).as('overdue'),
        eb.fn.countAll<number>().filterWhere('rep_tasks.status', '=', 'done').as('done'),
      ])
      .where('rep_tasks.rep_id', '=', repId)
      .executeTakeFirstOrThrow();
    return { open: row.open, overdue: row.overdue, done: row.done };
  }
}

function conditions(eb: TasksBuilder, repId: string, query: RepTasksPageQuery): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [eb('rep_tasks.rep_id', '=', repId)];
  if (query.status === 'overdue') where.push(overdue(eb, query.today));
  else where.push(eb('rep_tasks.status', 'in', query.status === undefined ? ['open', 'done'] : [query.status]));
  if (query.kind !== undefined) where.push(eb('rep_tasks.kind', '=', query.kind));
  if (query.customerId !== undefined) where.push(eb('rep_tasks.customer_id', '=', query.customerId));
  if (query.dueFrom !== undefined) where.push(eb('rep_tasks.due_on', '>=', dateValue(query.dueFrom)));
  if (query.dueBefore !== undefined) where.push(eb('rep_tasks.due_on', '<', dateValue(query.dueBefore)));
  return where;
}

/** Past the cursor in the listing's order: a row comparison on the sort key. */
function beyond(eb: TasksBuilder, after: After): Expression<SqlBool> {
  return eb(eb.refTuple('rep_tasks.due_on', 'rep_tasks.task_id'), '>', eb.tuple(dateValue(after.dueOn), after.taskId));
}

/** Calendar dates given as text: a bad one is a 400 naming each such parameter (not a database error). */
function checkDates(dates: Record<string, string | undefined>): void {
  const errors = Object.entries(dates).flatMap(([field, value]) =>
    value === undefined || isCalendarDate(value) ? [] : [{ field, message: `${field} must be a date (YYYY-MM-DD)` }],
  );
  if (errors.length > 0) throw validationProblem(errors);
}

/** The key of a task cursor, `[dueOn, taskId]`, checked. */
function readCursor(json: unknown): After {
  if (!Array.isArray(json) || json.length !== 2) throw invalidCursor('not a task cursor');
  const [dueOn, taskId]: unknown[] = json;
  if (typeof dueOn !== 'string' || !isCalendarDate(dueOn) || typeof taskId !== 'string' || taskId === '') throw invalidCursor('bad position');
  return { dueOn, taskId };
}
