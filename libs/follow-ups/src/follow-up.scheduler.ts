import type { Queue } from 'bullmq';
import type { Kysely, Migration } from 'kysely';
import { customerIdOfStream, reschedulesFollowUp, toCustomerEvent } from '#customers/domain';
import { repIdOfStream, toRepEvent } from '#sales/domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#read-model-engine';
import { FOLLOW_UP_SCHEDULER } from '#follow-ups/domain';
import { contractEndsAt, followUpJobId, followUpJobOptions, leadDaysFor, type FollowUpJob, type FollowUpTiming } from './follow-up.jobs.js';
import { applyJobChanges, type ScheduledJob } from './scheduled-jobs.js';


/**
 * `scheduled`: a job is queued (or ran) for `schedule_revision`; `cancelled`: terminated, or the
 * customer erased; `ended`: the contract had ended when it was seen, so no job.
 */
export type FollowUpScheduleState = 'scheduled' | 'cancelled' | 'ended';

/** What the scheduler knows of each contract, and the job it scheduled for it. */
export interface FollowUpContractsTable {
  customer_id: string;
  contract_id: string;
  ends_on: string;
  /** The contract's own lead, if it has one. */
  lead_days: number | null;
  /** The revision that last set the end date or lead time: the job's. */
  schedule_revision: number;
  state: FollowUpScheduleState;
  job_id: string | null;
  due_at: Date | null;
}

export interface FollowUpSchedulerTables {
  contracts: FollowUpContractsTable;
  /** Each customer's owner, whose team's lead time applies. */
  owners: { customer_id: string; rep_id: string | null };
  rep_teams: { rep_id: string; team: string };
}

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('contracts')
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('contract_id', 'text', (c) => c.notNull())
      .addColumn('ends_on', 'text', (c) => c.notNull())
      .addColumn('lead_days', 'integer')
      .addColumn('schedule_revision', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text')
      .addColumn('due_at', 'timestamptz')
      .addPrimaryKeyConstraint('contracts_pkey', ['customer_id', 'contract_id'])
      .execute();
    await db.schema
      .createTable('owners')
      .addColumn('customer_id', 'text', (c) => c.primaryKey())
      .addColumn('rep_id', 'text')
      .execute();
    await db.schema
      .createTable('rep_teams')
      .addColumn('rep_id', 'text', (c) => c.primaryKey())
      .addColumn('team', 'text', (c) => c.notNull())
      .execute();
  },
};

type ContractRow = FollowUpContractsTable;

/**
 * The log subscriber that schedules contract follow-ups: a projection to the engine (checkpointed,
 * one owner, batches in a transaction with its own tables) whose handler also adds and removes
 * BullMQ jobs. Jobs have deterministic ids and the queue calls are idempotent, so a batch applied
 * again (after a crash before its commit, or a replay of the log) schedules nothing twice.
 * Redis being away is a {@link RetryLaterError}: the batch rolls back and is applied again later.
 *
 * A contract revision that moves the end date or lead time replaces the job (remove the old id,
 * add the new); any other revision leaves it; a termination or erasure removes it. A job that
 * cannot be removed because it runs at that moment is harmless: the customer decider refuses a
 * follow-up of a revision rescheduled or of a terminated contract, and records one per revision.
 * A new owner moves the follow-ups whose lead comes from the owner's team (the contract names
 * none): their jobs are replaced when the new team's lead differs.
 */
export function followUpScheduler(queue: Queue<FollowUpJob>, isRedisReady: () => boolean, timing: FollowUpTiming): Projection<FollowUpSchedulerTables> {
  return {
    name: FOLLOW_UP_SCHEDULER,
    version: 1,
    migrations: { '0001-follow-up-scheduler': initial },
    async apply(db, events) {
      const batch = await loadBatch(db, events);
      const changed = foldBatch(batch, events);
      const now = timing.now();
      const rows = changed.map((contract) => schedule(contract, batch, timing, now));
      await applyJobChanges(
        queue,
        isRedisReady,
        rows.map((row) => ({ before: batch.jobIds.get(key(row)) ?? null, after: row.job_id === null ? null : jobOf(row, now) })),
      );
      if (changed.length > 0) {
        await db
          .insertInto('contracts')
          .values(rows)
          .onConflict((c) =>
            c.columns(['customer_id', 'contract_id']).doUpdateSet((eb) => ({
              ends_on: eb.ref('excluded.ends_on'),
              lead_days: eb.ref('excluded.lead_days'),
              schedule_revision: eb.ref('excluded.schedule_revision'),
              state: eb.ref('excluded.state'),
              job_id: eb.ref('excluded.job_id'),
              due_at: eb.ref('excluded.due_at'),
            })),
          )
          .execute();
      }
      if (batch.owners.size > 0) {
        await db
          .insertInto('owners')
          .values([...batch.owners].map(([customer_id, rep_id]) => ({ customer_id, rep_id })))
          .onConflict((c) => c.column('customer_id').doUpdateSet((eb) => ({ rep_id: eb.ref('excluded.rep_id') })))
          .execute();
      }
      if (batch.teams.size > 0) {
        await db
          .insertInto('rep_teams')
          .values([...batch.teams].map(([rep_id, team]) => ({ rep_id, team })))
          .onConflict((c) => c.column('rep_id').doUpdateSet((eb) => ({ team: eb.ref('excluded.team') })))
          .execute();
      }
    },
  };
}

/** The rows the batch's events touch, as stored before it (then folded in place). */
interface Batch {
  contracts: Map<string, ContractRow>;
  /** The job each stored contract had before the batch. */
  jobIds: Map<string, string | null>;
  owners: Map<string, string | null>;
  teams: Map<string, string>;
}

const key = (row: { customer_id: string; contract_id: string }) => JSON.stringify([row.customer_id, row.contract_id]);

async function loadBatch(db: Kysely<FollowUpSchedulerTables>, events: readonly RecordedEvent[]): Promise<Batch> {
  const customerIds = [...new Set(events.flatMap((event) => customerIdOfStream(event.streamId) ?? []))];
  const contracts = customerIds.length === 0 ? [] : await db.selectFrom('contracts').selectAll().where('customer_id', 'in', customerIds).execute();
  const owners = customerIds.length === 0 ? [] : await db.selectFrom('owners').selectAll().where('customer_id', 'in', customerIds).execute();
  // The teams of the reps owning the batch's customers, as stored or as the batch assigns them.
  const repIds = [
    ...new Set([
      ...owners.flatMap((row) => row.rep_id ?? []),
      ...events.flatMap((event) => {
        const data = event.data as { ownerRepId?: unknown; repId?: unknown };
        const repId = event.type === 'CustomerRegistered' ? data.ownerRepId : event.type === 'OwnerAssigned' ? data.repId : undefined;
        return typeof repId === 'string' ? [repId] : [];
      }),
    ]),
  ];
  const teams = repIds.length === 0 ? [] : await db.selectFrom('rep_teams').selectAll().where('rep_id', 'in', repIds).execute();
  return {
    contracts: new Map(contracts.map((row) => [key(row), row])),
    jobIds: new Map(contracts.map((row) => [key(row), row.job_id])),
    owners: new Map(owners.map((row) => [row.customer_id, row.rep_id])),
    teams: new Map(teams.map((row) => [row.rep_id, row.team])),
  };
}

/**
 * Folds the batch's events into `batch` (log order) and returns the contracts whose schedule they
 * changed, each once, as it stands after the batch: only the net effect reaches Redis, so a
 * contract recorded and revised in one batch never has its first job queued.
 */
function foldBatch(batch: Batch, events: readonly RecordedEvent[]): ContractRow[] {
  const changed = new Set<string>();
  const update = (customerId: string, contractId: string, change: (row: ContractRow) => ContractRow) => {
    const k = key({ customer_id: customerId, contract_id: contractId });
    const row = batch.contracts.get(k);
    if (row === undefined) return;
    batch.contracts.set(k, change(row));
    changed.add(k);
  };
  for (const event of events) {
    const repId = repIdOfStream(event.streamId);
    if (repId !== undefined) {
      const repEvent = toRepEvent(event);
      if (repEvent?.type === 'RepOnboarded') batch.teams.set(repId, repEvent.data.team);
      continue;
    }
    const customerId = customerIdOfStream(event.streamId);
    const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
    if (customerId === undefined || customerEvent === undefined) continue;
    switch (customerEvent.type) {
      case 'CustomerRegistered':
        batch.owners.set(customerId, customerEvent.data.ownerRepId ?? null);
        break;
      case 'OwnerAssigned':
        batch.owners.set(customerId, customerEvent.data.repId);
        // Rescheduled below with the new owner's team, which moves the job only if the lead changes.
        for (const row of batch.contracts.values()) {
          if (row.customer_id === customerId && row.state === 'scheduled' && row.lead_days === null) update(customerId, row.contract_id, (r) => r);
        }
        break;
      case 'ContractRecorded': {
        const { data } = customerEvent;
        const row: ContractRow = {
          customer_id: customerId,
          contract_id: data.contractId,
          ends_on: data.endsOn,
          lead_days: data.followUpLeadDays ?? null,
          schedule_revision: 0,
          state: 'scheduled',
          job_id: null,
          due_at: null,
        };
        batch.contracts.set(key(row), row);
        changed.add(key(row));
        break;
      }
      case 'ContractRevised': {
        const { data } = customerEvent;
        if (!reschedulesFollowUp(data.changes)) break;
        update(customerId, data.contractId, (row) => ({
          ...row,
          ends_on: data.changes.endsOn ?? row.ends_on,
          lead_days: data.changes.followUpLeadDays === undefined ? row.lead_days : data.changes.followUpLeadDays,
          schedule_revision: data.revision,
        }));
        break;
      }
      case 'ContractTerminated':
        update(customerId, customerEvent.data.contractId, (row) => ({ ...row, state: 'cancelled' }));
        break;
      case 'CustomerErased':
        for (const row of batch.contracts.values()) {
          if (row.customer_id === customerId) update(customerId, row.contract_id, (r) => ({ ...r, state: 'cancelled' }));
        }
        break;
      default:
        break;
    }
  }
  return [...changed].map((k) => batch.contracts.get(k) as ContractRow);
}

/** The contract's row with its job: none once cancelled or ended, else the job of its scheduling revision. */
function schedule(contract: ContractRow, batch: Batch, timing: FollowUpTiming, now: number): ContractRow {
  if (contract.state === 'cancelled') return { ...contract, job_id: null, due_at: null };
  const endsAt = contractEndsAt(contract.ends_on);
  if (endsAt <= now) return { ...contract, state: 'ended', job_id: null, due_at: null };
  const owner = batch.owners.get(contract.customer_id) ?? null;
  const team = owner === null ? null : (batch.teams.get(owner) ?? null);
  const dueAt = endsAt - leadDaysFor(timing, contract.lead_days, team) * timing.dayMs;
  return {
    ...contract,
    state: 'scheduled',
    job_id: followUpJobId(contract.customer_id, contract.contract_id, contract.schedule_revision, dueAt),
    due_at: new Date(dueAt),
  };
}

function jobOf(row: ContractRow, now: number): ScheduledJob<FollowUpJob> {
  const dueAt = (row.due_at as Date).getTime();
  const data: FollowUpJob = {
    customerId: row.customer_id,
    contractId: row.contract_id,
    contractRevision: row.schedule_revision,
    endsOn: row.ends_on,
    dueOn: new Date(dueAt).toISOString().slice(0, 10),
    dueAt: new Date(dueAt).toISOString(),
  };
  return { name: 'follow-up', data, opts: followUpJobOptions(row.job_id as string, dueAt, contractEndsAt(row.ends_on), now) };
}
