import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { repStream, type RepEvent } from '#sales/domain';
import { type CustomerEvent } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { REPURCHASE_ORIGIN, REPURCHASE_QUEUE, repurchaseScheduler, type RepurchaseJob } from '#follow-ups';
import { prepareProjectionTables, type Projection } from '#read-model-engine';
import { ProjectionTestbed, recordedCustomerEvents, recordedEvents } from '#testing';
import { purchaseFrequencyProjection, type PurchaseFrequencyTables } from './purchase-frequency.projection.js';
import { PurchaseFrequencyQueries } from './purchase-frequency.queries.js';

const TABLES = ['customers'] as const;

const registered = (customerId: string, ownerRepId?: string): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: { customerId, stage: 'customer', source: 'api', contact: { name: 'Ada' }, tags: [], ...(ownerRepId === undefined ? {} : { ownerRepId }), registeredAt: '2026-01-01T08:00:00.000Z' },
});
let order = 0;
const purchased = (purchasedAt: string): CustomerEvent => ({
  type: 'PurchaseRecorded',
  data: { orderId: `o-${order++}`, lines: [{ lineNo: 1, productSku: 'SKU-1', quantity: 1, unitPriceMinor: 500, currency: 'EUR' }], currency: 'EUR', totalMinor: 500, purchasedAt },
});
const reminded = (expectedOn: string, owner: { repId: string; taskId: string } | Record<string, never>): CustomerEvent => ({
  type: 'RepurchaseReminderDue',
  data: { expectedOn, lastPurchaseOn: '2026-02-01', medianIntervalDays: 31, purchaseDays: 2, ...owner, dueAt: `${expectedOn}T00:00:00.000Z` },
});
const task = (taskId: string, customerId: string, origin: string): RepEvent => ({
  type: 'TaskAssigned',
  data: { taskId, kind: 'follow_up', title: 'Remind', customerId, dueOn: '2026-03-11', origin, assignedAt: '2026-03-11T00:00:00.000Z' },
});

// Ada: purchase days 1 Jan, 1 Feb (twice) and 4 Mar: intervals 31 and 31, expected on 4 Apr; reminded
// of an older expectation (4 Mar) with a task; her owner also got an unrelated task for her.
// Bob: one purchase day; Cy: registered only; Dee: reminded of her current expectation, no owner.
const ada = recordedCustomerEvents('ada');
const bob = recordedCustomerEvents('bob');
const cy = recordedCustomerEvents('cy');
const dee = recordedCustomerEvents('dee');
const rep = recordedEvents<RepEvent>(repStream('rep-1'));
const LOG: RecordedEvent[] = [
  ada(registered('ada', 'rep-1')),
  bob(registered('bob')),
  ada(purchased('2026-01-01T10:00:00.000Z')),
  cy(registered('cy')),
  ada(purchased('2026-02-01T09:00:00.000Z')),
  bob(purchased('2026-02-02T10:00:00.000Z')),
  ada(purchased('2026-02-01T18:00:00.000Z')),
  ada(reminded('2026-03-04', { repId: 'rep-1', taskId: 't-ada' })),
  rep(task('t-other', 'ada', 'manual')),
  rep(task('t-ada', 'ada', REPURCHASE_ORIGIN)),
  ada(purchased('2026-03-04T12:00:00.000Z')),
  dee(registered('dee')),
  dee(purchased('2026-01-10T10:00:00.000Z')),
  dee(purchased('2026-01-20T10:00:00.000Z')),
  dee(reminded('2026-01-30', {})),
];

describe('purchase-frequency projection', () => {
  let bed: ProjectionTestbed<PurchaseFrequencyTables, (typeof TABLES)[number]>;
  let queries: PurchaseFrequencyQueries;

  beforeAll(async () => {
    bed = await ProjectionTestbed.open(purchaseFrequencyProjection, TABLES, LOG, 4);
    queries = new PurchaseFrequencyQueries(bed.db, bed.schema, null);
  });

  afterAll(() => bed?.close());

  it("keeps each customer's purchase days, orders and expectation, computed as the customer domain does", async () => {
    expect(await queries.get('ada', '2026-04-10')).toEqual({
      customerId: 'ada',
      orders: 4,
      purchaseDays: 3,
      firstPurchaseOn: '2026-01-01',
      lastPurchaseOn: '2026-03-04',
      medianIntervalDays: 31,
      expectedNextPurchaseOn: '2026-04-04',
      status: 'overdue',
      daysOverdue: 6,
      // The reminder and task were of the expectation before the last purchase.
      reminder: { status: 'none', dueAt: null, repId: null, taskId: null },
    });
    expect(await queries.get('ada', '2026-04-04')).toMatchObject({ status: 'expected', daysOverdue: null });
    expect(await queries.get('bob', '2026-04-10')).toMatchObject({ orders: 1, purchaseDays: 1, medianIntervalDays: null, expectedNextPurchaseOn: null, status: 'insufficient_history' });
    expect(await queries.get('cy', '2026-04-10')).toMatchObject({ orders: 0, purchaseDays: 0, firstPurchaseOn: null, status: 'insufficient_history' });
    expect(await queries.get('nobody', '2026-04-10')).toBeUndefined();
  });

  it('shows the reminder of the current expectation, and the owner task it named once assigned', async () => {
    expect((await queries.get('dee', '2026-02-05'))?.reminder).toEqual({ status: 'due', dueAt: '2026-01-30T00:00:00.000Z', repId: null, taskId: null });
    const dump = await bed.dump();
    expect(dump.customers.find((row) => row.customer_id === 'ada')).toMatchObject({
      reminded_on: '2026-03-04',
      reminder_rep_id: 'rep-1',
      reminder_task_id: 't-ada',
      reminder_task_created: true,
      purchase_days: ['2026-01-01', '2026-02-01', '2026-03-04'],
    });
  });

  it('is the same whatever the batches the log is cut into', async () => {
    const live = await bed.dump();
    expect(await bed.rebuild(2, LOG.length)).toEqual(live);
    expect(await bed.rebuild(3, 1)).toEqual(live);
  });

  it("reads the scheduler's job beside the read model: scheduled, with its due time, for the current expectation only", async () => {
    const redis = new Redis({ maxRetriesPerRequest: null });
    const queue = new Queue<RepurchaseJob>(REPURCHASE_QUEUE, { connection: redis, prefix: `crm-test:${randomUUID()}` });
    try {
      await scheduleAndRead(queue);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
    }
  });

  async function scheduleAndRead(queue: Queue<RepurchaseJob>): Promise<void> {
    const scheduler = repurchaseScheduler(queue, () => true, { leadDays: 30, teamLeadDays: {}, repurchaseMarginDays: 7, dayMs: 86_400_000, now: () => Date.parse('2026-01-01') });
    const schedulerSchema = await prepareProjectionTables(bed.pool, scheduler as unknown as Projection);
    await bed.apply(LOG, scheduler as unknown as Projection<PurchaseFrequencyTables>);
    const withScheduler = new PurchaseFrequencyQueries(bed.db, bed.schema, schedulerSchema);
    expect((await withScheduler.get('ada', '2026-04-05'))?.reminder).toEqual({ status: 'scheduled', dueAt: '2026-04-11T00:00:00.000Z', repId: null, taskId: null });
    // Dee was reminded already: that wins over the job.
    expect((await withScheduler.get('dee', '2026-02-05'))?.reminder.status).toBe('due');
    const jobs = await queue.getJobs(['delayed', 'waiting']);
    expect(jobs.map((job) => job.data).sort((a, b) => a.customerId.localeCompare(b.customerId))).toEqual([
      { customerId: 'ada', expectedOn: '2026-04-04', dueAt: '2026-04-11T00:00:00.000Z' },
      { customerId: 'dee', expectedOn: '2026-01-30', dueAt: '2026-02-06T00:00:00.000Z' },
    ]);
  }
});
