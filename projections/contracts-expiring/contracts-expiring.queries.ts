import { sql, type Kysely } from 'kysely';
import { decodeCursor, encodeCursor, invalidCursor } from '#read-model-engine';

/**
 * - `scheduled`: the follow-up job is queued for the contract's current schedule, due at `dueAt`;
 * - `due`: it fell due (FollowUpDue), and no task was created (nobody owns the customer, or the
 *   owner's task is not in yet);
 * - `task_created`: the owner has the follow-up task;
 * - `none`: nothing is scheduled (the contract had ended when seen, or the scheduler has not got
 *   to it yet).
 */
export type FollowUpStatus = 'scheduled' | 'due' | 'task_created' | 'none';

export interface ExpiringContract {
  customerId: string;
  contractId: string;
  kind: string;
  vendorName: string | null;
  title: string | null;
  endsOn: string;
  followUp: {
    status: FollowUpStatus;
    /** When scheduled: when the job runs. */
    dueAt: string | null;
    /** Once due: the day it was due on, the rep and task it went to. */
    dueOn: string | null;
    repId: string | null;
    taskId: string | null;
  };
}

export interface ExpiringPage {
  items: ExpiringContract[];
  nextCursor: string | null;
}

interface Row {
  customer_id: string;
  contract_id: string;
  kind: string;
  vendor_name: string | null;
  title: string | null;
  ends_on: string;
  follow_up_revision: number;
  follow_up_due_revision: number | null;
  follow_up_due_on: string | null;
  follow_up_rep_id: string | null;
  follow_up_task_id: string | null;
  follow_up_task_created: boolean;
  scheduled_due_at: Date | null;
}

type Key = [endsOn: string, customerId: string, contractId: string];

/**
 * Reads the contracts-expiring read model (`schema`) beside the follow-up scheduler's own table
 * (`schedulerSchema`, null before the scheduler first ran), which alone knows what it queued and
 * for when (the lead time depends on configuration, per team, at the time it scheduled).
 */
export class ContractsExpiringQueries {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string,
    private readonly schedulerSchema: string | null,
  ) {}

  /** Live (not terminated) contracts ending from `from` to `to` (inclusive), soonest first, keyset pages. */
  async expiring(options: { from: string; to: string; limit: number; cursor?: string }): Promise<ExpiringPage> {
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor, readKey);
    const { rows } = await sql<Row>`
      select c.customer_id, c.contract_id, c.kind, c.vendor_name, c.title, to_char(c.ends_on, 'YYYY-MM-DD') as ends_on,
             c.follow_up_revision, c.follow_up_due_revision, to_char(c.follow_up_due_on, 'YYYY-MM-DD') as follow_up_due_on,
             c.follow_up_rep_id, c.follow_up_task_id, c.follow_up_task_created,
             ${this.schedulerSchema === null ? sql`null::timestamptz` : sql`case when s.state = 'scheduled' and s.schedule_revision = c.follow_up_revision then s.due_at end`} as scheduled_due_at
        from ${sql.table(`${this.schema}.contracts`)} c
        ${this.schedulerSchema === null ? sql`` : sql`left join ${sql.table(`${this.schedulerSchema}.contracts`)} s on s.customer_id = c.customer_id and s.contract_id = c.contract_id`}
       where c.terminated_on is null
         and c.ends_on between ${options.from}::date and ${options.to}::date
         and (${after === null} or (c.ends_on, c.customer_id, c.contract_id) > (${after?.[0] ?? null}::date, ${after?.[1] ?? null}, ${after?.[2] ?? null}))
       order by c.ends_on, c.customer_id, c.contract_id
       limit ${options.limit + 1}`.execute(this.db);
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      items: page.map(toContract),
      nextCursor: rows.length > options.limit && last !== undefined ? encodeCursor([last.ends_on, last.customer_id, last.contract_id]) : null,
    };
  }
}

function toContract(row: Row): ExpiringContract {
  const due = row.follow_up_due_revision === row.follow_up_revision;
  const status: FollowUpStatus = due ? (row.follow_up_task_created ? 'task_created' : 'due') : row.scheduled_due_at !== null ? 'scheduled' : 'none';
  return {
    customerId: row.customer_id,
    contractId: row.contract_id,
    kind: row.kind,
    vendorName: row.vendor_name,
    title: row.title,
    endsOn: row.ends_on,
    followUp: {
      status,
      dueAt: status === 'scheduled' ? (row.scheduled_due_at as Date).toISOString() : null,
      dueOn: due ? row.follow_up_due_on : null,
      repId: due ? row.follow_up_rep_id : null,
      taskId: due ? row.follow_up_task_id : null,
    },
  };
}

function readKey(json: unknown): Key {
  if (
    !Array.isArray(json) ||
    json.length !== 3 ||
    typeof json[0] !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(json[0]) ||
    typeof json[1] !== 'string' ||
    typeof json[2] !== 'string'
  ) {
    throw invalidCursor('not a contracts-expiring cursor');
  }
  return [json[0], json[1], json[2]];
}
