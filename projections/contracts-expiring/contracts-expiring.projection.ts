import type { ColumnType, Kysely, Migration } from 'kysely';
import { customerIdOfStream, reschedulesFollowUp, toCustomerEvent } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { FOLLOW_UP_ORIGIN } from '#follow-ups/domain';
import type { Projection } from '#read-model-engine';
import { originTask } from '#sales/domain';
import { textOrNull } from '../shared/personal-values.js';

export const CONTRACTS_EXPIRING = 'contracts-expiring';

/** Every contract with its end date and how far its follow-up got (for the current schedule). */
export interface ExpiringContractsTable {
  customer_id: string;
  contract_id: string;
  kind: string;
  vendor_name: string | null;
  title: string | null;
  /** A `date`: read as text (`to_char`), as pg would read it as local midnight. */
  ends_on: ColumnType<Date, string, string>;
  terminated_on: ColumnType<Date | null, string | null, string | null>;
  /** The revision that last set the end date or lead time: the follow-up's schedule. */
  follow_up_revision: number;
  /** Set by FollowUpDue of the revision it names. */
  follow_up_due_revision: number | null;
  follow_up_due_on: ColumnType<Date | null, string | null, string | null>;
  follow_up_rep_id: string | null;
  follow_up_task_id: string | null;
  /** Whether the owner's TaskAssigned for that task was seen. */
  follow_up_task_created: boolean;
}

export interface ContractsExpiringTables {
  contracts: ExpiringContractsTable;
}

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('contracts')
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('contract_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('vendor_name', 'text')
      .addColumn('title', 'text')
      .addColumn('ends_on', 'date', (c) => c.notNull())
      .addColumn('terminated_on', 'date')
      .addColumn('follow_up_revision', 'integer', (c) => c.notNull())
      .addColumn('follow_up_due_revision', 'integer')
      .addColumn('follow_up_due_on', 'date')
      .addColumn('follow_up_rep_id', 'text')
      .addColumn('follow_up_task_id', 'text')
      .addColumn('follow_up_task_created', 'boolean', (c) => c.notNull())
      .addPrimaryKeyConstraint('contracts_pkey', ['customer_id', 'contract_id'])
      .execute();
    // GET /contracts/expiring: contracts by end date, keyset on (ends_on, customer_id, contract_id).
    await db.schema.createIndex('contracts_by_end').on('contracts').columns(['ends_on', 'customer_id', 'contract_id']).execute();
  },
};

/** A row as written: dates as `YYYY-MM-DD` text. */
interface ContractRow {
  customer_id: string;
  contract_id: string;
  kind: string;
  vendor_name: string | null;
  title: string | null;
  ends_on: string;
  terminated_on: string | null;
  follow_up_revision: number;
  follow_up_due_revision: number | null;
  follow_up_due_on: string | null;
  follow_up_rep_id: string | null;
  follow_up_task_id: string | null;
  follow_up_task_created: boolean;
}

const COLUMNS = [
  'kind',
  'vendor_name',
  'title',
  'ends_on',
  'terminated_on',
  'follow_up_revision',
  'follow_up_due_revision',
  'follow_up_due_on',
  'follow_up_rep_id',
  'follow_up_task_id',
  'follow_up_task_created',
] as const satisfies readonly (keyof ContractRow)[];

/**
 * Contracts by expiry, fed by the contract events, FollowUpDue and the follow-up tasks reps get
 * (TaskAssigned with origin `contract-follow-up`, matched by the task id FollowUpDue names). A batch
 * loads the rows of the customers it touches, folds its events into them in memory, and upserts
 * the changed rows in one statement.
 */
export const contractsExpiringProjection: Projection<ContractsExpiringTables> = {
  name: CONTRACTS_EXPIRING,
  version: 1,
  migrations: { '0001-contracts': initial },
  async apply(db, events) {
    const customerIds = new Set<string>();
    for (const event of events) {
      const customerId = customerIdOfStream(event.streamId) ?? originTask(event, FOLLOW_UP_ORIGIN)?.customerId;
      if (customerId !== undefined) customerIds.add(customerId);
    }
    if (customerIds.size === 0) return;
    const stored = await db
      .selectFrom('contracts')
      .select(['customer_id', 'contract_id', 'kind', 'vendor_name', 'title', 'follow_up_revision', 'follow_up_due_revision', 'follow_up_rep_id', 'follow_up_task_id', 'follow_up_task_created'])
      .select((eb) => [
        eb.fn<string>('to_char', ['ends_on', eb.val('YYYY-MM-DD')]).as('ends_on'),
        eb.fn<string | null>('to_char', ['terminated_on', eb.val('YYYY-MM-DD')]).as('terminated_on'),
        eb.fn<string | null>('to_char', ['follow_up_due_on', eb.val('YYYY-MM-DD')]).as('follow_up_due_on'),
      ])
      .where('customer_id', 'in', [...customerIds])
      .execute();
    const changed = fold(new Map(stored.map((row) => [key(row.customer_id, row.contract_id), row])), events);
    if (changed.length === 0) return;
    await db
      .insertInto('contracts')
      .values(changed)
      .onConflict((c) => c.columns(['customer_id', 'contract_id']).doUpdateSet((eb) => Object.fromEntries(COLUMNS.map((column) => [column, eb.ref(`excluded.${column}`)]))))
      .execute();
  },
};

const key = (customerId: string, contractId: string) => JSON.stringify([customerId, contractId]);

/** The batch folded into `rows` in log order; the rows it changed, each once. */
function fold(rows: Map<string, ContractRow>, events: readonly RecordedEvent[]): ContractRow[] {
  const changed = new Set<string>();
  const update = (customerId: string, contractId: string, change: (row: ContractRow) => ContractRow) => {
    const k = key(customerId, contractId);
    const row = rows.get(k);
    if (row === undefined) return;
    rows.set(k, change(row));
    changed.add(k);
  };
  for (const event of events) {
    const task = originTask(event, FOLLOW_UP_ORIGIN);
    if (task !== undefined) {
      for (const row of rows.values()) {
        if (row.customer_id === task.customerId && row.follow_up_task_id === task.taskId) update(row.customer_id, row.contract_id, (r) => ({ ...r, follow_up_task_created: true }));
      }
      continue;
    }
    const customerId = customerIdOfStream(event.streamId);
    const customerEvent = customerId === undefined ? undefined : toCustomerEvent(event);
    if (customerId === undefined || customerEvent === undefined) continue;
    switch (customerEvent.type) {
      case 'ContractRecorded': {
        const { data } = customerEvent;
        rows.set(key(customerId, data.contractId), {
          customer_id: customerId,
          contract_id: data.contractId,
          kind: data.kind,
          vendor_name: textOrNull(data.vendorName),
          title: textOrNull(data.title),
          ends_on: data.endsOn,
          terminated_on: null,
          follow_up_revision: 0,
          follow_up_due_revision: null,
          follow_up_due_on: null,
          follow_up_rep_id: null,
          follow_up_task_id: null,
          follow_up_task_created: false,
        });
        changed.add(key(customerId, data.contractId));
        break;
      }
      case 'ContractRevised': {
        const { data } = customerEvent;
        if (!reschedulesFollowUp(data.changes)) break;
        update(customerId, data.contractId, (row) => ({ ...row, ends_on: data.changes.endsOn ?? row.ends_on, follow_up_revision: data.revision }));
        break;
      }
      case 'ContractTerminated':
        update(customerId, customerEvent.data.contractId, (row) => ({ ...row, terminated_on: customerEvent.data.terminatedOn }));
        break;
      case 'FollowUpDue': {
        const { data } = customerEvent;
        update(customerId, data.contractId, (row) => ({
          ...row,
          follow_up_due_revision: data.contractRevision,
          follow_up_due_on: data.dueOn,
          follow_up_rep_id: data.repId ?? null,
          follow_up_task_id: data.taskId ?? null,
          follow_up_task_created: false,
        }));
        break;
      }
      case 'CustomerErased':
        // Vendor and title are the person's (a re-read finds them erased); dates and follow-ups stay.
        for (const row of [...rows.values()]) {
          if (row.customer_id === customerId) update(customerId, row.contract_id, (r) => ({ ...r, vendor_name: null, title: null }));
        }
        break;
      default:
        break;
    }
  }
  return [...changed].map((k) => rows.get(k) as ContractRow);
}

