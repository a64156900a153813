import { repStream, type RepEvent } from '#sales/domain';
import { type CustomerEvent } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { FOLLOW_UP_ORIGIN } from '#follow-ups/domain';
import { problemOf, ProjectionTestbed, recordedCustomerEvents, recordedEvents } from '#testing';
import { contractsExpiringProjection, type ContractsExpiringTables } from './contracts-expiring.projection.js';
import { ContractsExpiringQueries } from './contracts-expiring.queries.js';

const TABLES = ['contracts'] as const;
const at = '2026-01-05T10:00:00.000Z';

const recorded = (contractId: string, endsOn: string, kind: 'own' | 'competitor' = 'competitor'): CustomerEvent => ({
  type: 'ContractRecorded',
  data: { contractId, kind, ...(kind === 'competitor' ? { vendorName: 'Rival' } : { title: 'Support' }), startsOn: '2026-01-01', endsOn, recordedAt: at },
});
const revised = (contractId: string, revision: number, changes: object): CustomerEvent => ({ type: 'ContractRevised', data: { contractId, revision, changes, revisedAt: at } });
const due = (contractId: string, contractRevision: number, endsOn: string, owner: object = {}): CustomerEvent => ({
  type: 'FollowUpDue',
  data: { contractId, contractRevision, endsOn, dueOn: '2026-05-01', ...owner, dueAt: '2026-05-01T00:00:00.000Z' },
});
const task = (taskId: string, customerId: string, origin: string): RepEvent => ({
  type: 'TaskAssigned',
  data: { taskId, kind: 'follow_up', title: 'Follow up', customerId, dueOn: '2026-05-01', origin, assignedAt: '2026-05-01T00:00:00.000Z' },
});

// Ada: k-1 ends 31 May, fell due with a task for rep-1 (assigned); k-2 moved from 30 June to 31
// December after falling due (so due no more); k-3 terminated. Bob: k-4 ends 15 June, fell due
// with a task not assigned yet; k-5 revised without moving (terms), ends 1 June.
const ada = recordedCustomerEvents('ada');
const bob = recordedCustomerEvents('bob');
const rep = recordedEvents<RepEvent>(repStream('rep-1'));
const LOG: RecordedEvent[] = [
  ada(recorded('k-1', '2026-05-31', 'own')),
  ada(recorded('k-2', '2026-06-30')),
  bob(recorded('k-4', '2026-06-15')),
  ada(recorded('k-3', '2026-05-20')),
  ada(due('k-1', 0, '2026-05-31', { repId: 'rep-1', taskId: 't-1' })),
  rep(task('t-other', 'ada', 'manual')),
  rep(task('t-1', 'ada', FOLLOW_UP_ORIGIN)),
  ada(due('k-2', 0, '2026-06-30')),
  ada(revised('k-2', 1, { endsOn: '2026-12-31' })),
  bob(due('k-4', 0, '2026-06-15', { repId: 'rep-2', taskId: 't-4' })),
  bob(recorded('k-5', '2026-06-01')),
  bob(revised('k-5', 1, { terms: 'Net 60' })),
  ada({ type: 'ContractTerminated', data: { contractId: 'k-3', terminatedOn: '2026-03-31', terminatedAt: at } }),
];

describe('contracts-expiring projection', () => {
  let bed: ProjectionTestbed<ContractsExpiringTables, (typeof TABLES)[number]>;
  let queries: ContractsExpiringQueries;

  beforeAll(async () => {
    bed = await ProjectionTestbed.open(contractsExpiringProjection, TABLES, LOG, 3);
    // No follow-up scheduler has run: nothing reads as scheduled.
    queries = new ContractsExpiringQueries(bed.db, bed.schema, null);
  });

  afterAll(() => bed?.close());

  it('lists live contracts by end date with where each follow-up stands, for its current schedule', async () => {
    const page = await queries.expiring({ from: '2026-05-01', to: '2026-12-31', limit: 10 });
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((item) => [item.contractId, item.endsOn, item.followUp.status])).toEqual([
      ['k-1', '2026-05-31', 'task_created'],
      ['k-5', '2026-06-01', 'none'],
      ['k-4', '2026-06-15', 'due'],
      ['k-2', '2026-12-31', 'none'],
    ]);
    expect(page.items[0]).toEqual({
      customerId: 'ada',
      contractId: 'k-1',
      kind: 'own',
      vendorName: null,
      title: 'Support',
      endsOn: '2026-05-31',
      followUp: { status: 'task_created', dueAt: null, dueOn: '2026-05-01', repId: 'rep-1', taskId: 't-1' },
    });
    expect(page.items[2].followUp).toEqual({ status: 'due', dueAt: null, dueOn: '2026-05-01', repId: 'rep-2', taskId: 't-4' });
  });

  it('pages by keyset within the window, and refuses a cursor that is not one', async () => {
    const first = await queries.expiring({ from: '2026-05-01', to: '2026-06-30', limit: 2 });
    expect(first.items.map((item) => item.contractId)).toEqual(['k-1', 'k-5']);
    const second = await queries.expiring({ from: '2026-05-01', to: '2026-06-30', limit: 2, cursor: first.nextCursor as string });
    expect(second.items.map((item) => item.contractId)).toEqual(['k-4']);
    expect(second.nextCursor).toBeNull();
    expect((await problemOf(queries.expiring({ from: '2026-05-01', to: '2026-06-30', limit: 2, cursor: 'bm9wZQ' }))).status).toBe(400);
  });

  it('is the same whatever the batches the log is cut into', async () => {
    const live = await bed.dump();
    expect(await bed.rebuild(2, LOG.length)).toEqual(live);
    expect(await bed.rebuild(3, 1)).toEqual(live);
  });
});
