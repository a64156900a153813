import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { PURCHASE_FREQUENCY, type PurchaseFrequencyView } from '#projections/purchase-frequency';
import { customerStream } from '#customers/domain';
import { serializePosition, type RecordedEvent } from '#event-store';
import { REPURCHASE_ORIGIN, REPURCHASE_QUEUE, REPURCHASE_SCHEDULER, repurchaseJobId, repurchaseScheduler, type RepurchaseJob } from '#follow-ups';
import { eventsOf, until, wholeLog } from '#testing';
import { JobsApp, TEST_DAY_MS } from './support/jobs.js';

/**
 * Repurchase reminders end to end, against the real PostgreSQL and Redis: purchases through the
 * api, the projector's purchase-frequency read model, the worker's scheduler and jobs.
 *
 * Time is test-sized: a margin "day" lasts a second, and the scheduler's clock is moved to just
 * before the day each test's customer is expected to buy again, so reminders fall due within
 * seconds. Purchases are dated years ahead, where the real clock never reaches.
 */

const DAY_MS = 86_400_000;
const MARGIN = 3;

describe('repurchase reminders (BullMQ on the real Redis)', () => {
  const app = new JobsApp({ leadDays: 30, teamLeadDays: {}, repurchaseMarginDays: MARGIN });
  let queue: Queue<RepurchaseJob>;

  beforeAll(async () => {
    await app.start();
    queue = app.queue<RepurchaseJob>(REPURCHASE_QUEUE);
  });

  afterAll(() => app.close());

  /** Each test buys in a month of its own, years ahead. */
  let month = 0;
  const days = () => {
    const start = Date.parse('2032-01-01') + month++ * 40 * DAY_MS;
    return (offset: number) => new Date(start + offset * DAY_MS).toISOString().slice(0, 10);
  };
  const buy = async (customerId: string, day: string, time = '10:00:00') => {
    const response = await app
      .service(`/customers/${customerId}/purchases`)
      .send({ orderId: `o-${randomUUID()}`, lines: [{ productSku: 'SKU-1', quantity: 1, unitPriceMinor: 1999, currency: 'EUR' }], purchasedAt: `${day}T${time}Z` })
      .expect(201);
    return response.body.position as string;
  };
  const scheduled = (position: string, timeoutMs?: number) => app.caughtUp([REPURCHASE_SCHEDULER], position, timeoutMs);
  const reminders = (customerId: string) => eventsOf(app.store, customerStream(customerId), 'RepurchaseReminderDue');
  const frequency = async (customerId: string, position?: string) => {
    const request = app.api.http.get(`/customers/${customerId}/purchase-frequency`).set('Authorization', `Bearer ${app.api.keys.analyst}`);
    return (await (position === undefined ? request : request.set('X-Consistent-With', position)).expect(200)).body as PurchaseFrequencyView;
  };
  const dueAt = (expectedOn: string) => new Date(Date.parse(expectedOn) + MARGIN * TEST_DAY_MS).toISOString();

  it('reminds the owner once the expected purchase is overdue by the margin: RepurchaseReminderDue and a task', async () => {
    const repId = await app.onboard('field');
    const customerId = await app.register(repId);
    const day = days();
    // Purchase days 0, 10 and 30 (two orders on day 10 count once): intervals 10 and 20, median 15.
    await buy(customerId, day(0));
    await buy(customerId, day(10), '09:00:00');
    await buy(customerId, day(10), '16:00:00');
    const expectedOn = day(45);
    app.clockAt(expectedOn, 2);
    const position = await buy(customerId, day(30));
    await scheduled(position);

    const jobId = repurchaseJobId(customerId, expectedOn);
    const job = await queue.getJob(jobId);
    expect(job?.data).toEqual({ customerId, expectedOn, dueAt: dueAt(expectedOn) });
    expect(await frequency(customerId, position)).toEqual({
      customerId,
      orders: 4,
      purchaseDays: 3,
      firstPurchaseOn: day(0),
      lastPurchaseOn: day(30),
      medianIntervalDays: 15,
      expectedNextPurchaseOn: expectedOn,
      status: 'expected',
      daysOverdue: null,
      reminder: { status: 'scheduled', dueAt: dueAt(expectedOn), repId: null, taskId: null },
    });

    const due = await until('RepurchaseReminderDue', async () => (await reminders(customerId))[0] ?? undefined);
    expect(due.data).toMatchObject({ expectedOn, lastPurchaseOn: day(30), medianIntervalDays: 15, purchaseDays: 3, repId, dueAt: dueAt(expectedOn) });
    const task = await until('the task', async () => (await app.tasksOf(repId, REPURCHASE_ORIGIN))[0] ?? undefined);
    expect(task.data).toMatchObject({ taskId: due.data.taskId, kind: 'follow_up', customerId, dueOn: expectedOn, origin: REPURCHASE_ORIGIN });
    expect(task.metadata.actor).toBe('worker:repurchase-reminders');

    const timeline = await app.api.http
      .get(`/customers/${customerId}/timeline?types=RepurchaseReminderDue`)
      .set('Authorization', `Bearer ${app.api.keys.analyst}`)
      .set('X-Consistent-With', serializePosition(due.position))
      .expect(200);
    expect(timeline.body.items[0].summary).toBe(`Repurchase overdue: expected on ${expectedOn} (every 15 days, last on ${day(30)}): task for rep ${repId}`);
    expect((await frequency(customerId, serializePosition(task.position))).reminder).toEqual({ status: 'task_created', dueAt: dueAt(expectedOn), repId, taskId: due.data.taskId });
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(1);
  });

  it('replaces the reminder when a purchase moves the expectation; only the new one falls due', async () => {
    const customerId = await app.register();
    const day = days();
    await buy(customerId, day(0));
    const first = day(20);
    // The first expectation would fall due 3 s after `first` begins; the clock stands 6 s before it.
    app.clockAt(first, 6);
    await scheduled(await buy(customerId, day(10)));
    expect(await queue.getJob(repurchaseJobId(customerId, first))).toBeDefined();

    // Bought again on day 14: intervals 10 and 4, median 7, expected on day 21.
    const expectedOn = day(21);
    app.clockAt(expectedOn, 1);
    const moved = await buy(customerId, day(14));
    await scheduled(moved);
    expect(await queue.getJob(repurchaseJobId(customerId, first))).toBeUndefined();
    expect((await queue.getJob(repurchaseJobId(customerId, expectedOn)))?.data.dueAt).toBe(dueAt(expectedOn));

    const due = await until('RepurchaseReminderDue', async () => (await reminders(customerId))[0] ?? undefined);
    expect(due.data).toMatchObject({ expectedOn, medianIntervalDays: 7 });
    expect(due.data.repId).toBeUndefined();
    expect(await reminders(customerId)).toHaveLength(1);
    const view = await frequency(customerId, serializePosition(due.position));
    expect(view.reminder).toEqual({ status: 'due', dueAt: dueAt(expectedOn), repId: null, taskId: null });
  });

  it('expects nothing of a single purchase day, and answers 404 for an unknown customer and 403 for a service key', async () => {
    const customerId = await app.register();
    const day = days();
    await buy(customerId, day(0), '08:00:00');
    const position = await buy(customerId, day(0), '18:00:00');
    await scheduled(position);
    expect(await frequency(customerId, position)).toEqual({
      customerId,
      orders: 2,
      purchaseDays: 1,
      firstPurchaseOn: day(0),
      lastPurchaseOn: day(0),
      medianIntervalDays: null,
      expectedNextPurchaseOn: null,
      status: 'insufficient_history',
      daysOverdue: null,
      reminder: { status: 'none', dueAt: null, repId: null, taskId: null },
    });
    const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed']);
    expect(jobs.filter((job) => job.data.customerId === customerId)).toEqual([]);

    const unknown = await app.api.http.get('/customers/nobody/purchase-frequency').set('Authorization', `Bearer ${app.api.keys.analyst}`).expect(404);
    expect(unknown.body).toMatchObject({ type: 'urn:crm:problem:not-found', detail: 'customer nobody is not registered' });
    await app.api.http.get(`/customers/${customerId}/purchase-frequency`).set('Authorization', `Bearer ${app.api.keys.service}`).expect(403);
    await app.api.http.get(`/customers/${customerId}/purchase-frequency?since=1`).set('Authorization', `Bearer ${app.api.keys.analyst}`).expect(400);
  });

  it('shows an overdue customer as overdue, days counted from the expected day', async () => {
    const customerId = await app.register();
    // Bought 40 and 30 days ago: expected 20 days ago (the real clock, as analysts read it).
    const ago = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);
    app.clockAt(ago(0), 0);
    await buy(customerId, ago(40));
    const position = await buy(customerId, ago(30));
    const view = await frequency(customerId, position);
    expect(view).toMatchObject({ expectedNextPurchaseOn: ago(20), status: 'overdue', daysOverdue: 20 });
    // Long overdue when scheduled: the reminder falls due at once.
    const due = await until('RepurchaseReminderDue', async () => (await reminders(customerId))[0] ?? undefined);
    expect(due.data).toMatchObject({ expectedOn: ago(20) });
  });

  it('waits at its checkpoint while Redis is unreachable, catches up when it returns, and reminds each customer exactly once', async () => {
    const repId = await app.onboard('field');
    const day = days();
    const expectedOn = day(20);
    app.clockAt(expectedOn, 2);
    await app.relay.close();

    // Purchases keep arriving (and succeed) while Redis is away.
    const customers = await Promise.all([app.register(repId), app.register(), app.register(repId)]);
    for (const customerId of customers) await buy(customerId, day(0));
    const positions = await Promise.all(customers.map((customerId) => buy(customerId, day(10))));
    await until('the scheduler waiting', async () => (await app.status(REPURCHASE_SCHEDULER)).status === 'waiting');
    // The read model does not need Redis.
    expect((await frequency(customers[0], positions[0])).reminder.status).toBe('none');
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    await app.relay.open();
    for (const position of positions) await scheduled(position, 20_000);
    for (const customerId of customers) {
      const job = await until(`the job of ${customerId}`, async () => {
        const found = await queue.getJob(repurchaseJobId(customerId, expectedOn));
        return found?.finishedOn !== undefined && found;
      });
      expect(job.attemptsMade).toBe(1);
      expect(await job.getState()).toBe('completed');
      expect((await reminders(customerId)).map((event) => event.data.expectedOn)).toEqual([expectedOn]);
    }
    expect((await app.tasksOf(repId, REPURCHASE_ORIGIN)).map((event) => event.data.customerId).sort()).toEqual([customers[0], customers[2]].sort());
    expect((await app.status(REPURCHASE_SCHEDULER)).status).toBe('running');
  });

  it('reminds nobody twice when the log is replayed from position zero', async () => {
    const effects = (events: RecordedEvent[]) =>
      events.filter((event) => event.type === 'RepurchaseReminderDue' || (event.type === 'TaskAssigned' && event.data.origin === REPURCHASE_ORIGIN)).map((event) => event.id);
    // The tests above recorded 6 reminders and 3 tasks.
    const before = await until('the whole log', async () => {
      const events = await wholeLog(app.store);
      return effects(events).length === 9 && events;
    });
    const counts = await queue.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed');
    await app.replay(repurchaseScheduler(queue, () => true, app.timing), before[before.length - 1].position);
    expect(await queue.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed')).toEqual(counts);
    expect(effects(await wholeLog(app.store))).toEqual(effects(before));
    // The read model agrees with the log.
    const verify = await app.api.http.post(`/audit/projections/${PURCHASE_FREQUENCY}/verify`).set('Authorization', `Bearer ${app.api.keys.auditor}`).expect(200);
    expect(verify.body).toMatchObject({ differences: [] });
  });
});
