import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { customerStream } from '#customers/domain';
import { serializePosition, type EventStore, type RecordedEvent } from '#event-store';
import { FOLLOW_UP_ORIGIN, FOLLOW_UP_QUEUE, FOLLOW_UP_SCHEDULER, followUpJobId, followUpScheduler, type FollowUpJob } from '#follow-ups';
import { eventsOf, until, wholeLog } from '#testing';
import type { TestApi } from './support/api.js';
import { JobsApp, TEST_DAY_MS } from './support/jobs.js';

/**
 * Contract follow-ups end to end, against the real PostgreSQL and Redis: the api takes commands,
 * the projector builds the read models, the worker schedules and runs the follow-up jobs.
 *
 * Time is test-sized: a lead "day" lasts a second, and the scheduler's clock is moved to a few
 * seconds before each test's contract end date, so follow-ups fall due within seconds.
 */

const DAY_MS = 86_400_000;

describe('contract follow-ups (BullMQ on the real Redis)', () => {
  const app = new JobsApp({ leadDays: 3, teamLeadDays: { 'key-accounts': 4 }, repurchaseMarginDays: 7 });
  let api: TestApi;
  let store: EventStore;
  let queue: Queue<FollowUpJob>;

  beforeAll(async () => {
    await app.start();
    ({ api, store } = app);
    queue = app.queue<FollowUpJob>(FOLLOW_UP_QUEUE);
  });

  afterAll(() => app.close());

  /** A distinct end date per contract, years ahead (the real clock never reaches it). */
  let day = 0;
  const endDate = () => new Date(Date.parse('2031-01-01') + day++ * DAY_MS).toISOString().slice(0, 10);

  const recordContract = async (customerId: string, endsOn: string, followUpLeadDays?: number) => {
    const contractId = `k-${randomUUID()}`;
    const response = await app.service(`/customers/${customerId}/contracts`)
      .send({ contractId, kind: 'competitor', vendorName: 'Rival', startsOn: '2026-01-01', endsOn, ...(followUpLeadDays === undefined ? {} : { followUpLeadDays }) })
      .expect(201);
    return { contractId, position: response.body.position as string };
  };
  const revise = async (customerId: string, contractId: string, changes: object) =>
    (
      await api.http
        .patch(`/customers/${customerId}/contracts/${contractId}`)
        .set('Authorization', `Bearer ${api.keys.service}`)
        .send({ changes })
        .expect(200)
    ).body.position as string;
  const terminate = async (customerId: string, contractId: string) =>
    (await app.service(`/customers/${customerId}/contracts/${contractId}/terminate`).send({ terminatedOn: '2026-06-30' }).expect(200)).body.position as string;

  /** The follow-up job of a contract revision, whatever its due moment, if the queue holds one. */
  const jobOf = async (customerId: string, contractId: string, revision: number) =>
    (await queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed'])).find(
      (job) => job.data.customerId === customerId && job.data.contractId === contractId && job.data.contractRevision === revision,
    );
  const scheduled = (position: string, timeoutMs?: number) => app.caughtUp([FOLLOW_UP_SCHEDULER], position, timeoutMs);
  const followUps = (customerId: string) => eventsOf(store, customerStream(customerId), 'FollowUpDue');
  const followUpTasks = (repId: string) => app.tasksOf(repId, FOLLOW_UP_ORIGIN);
  const expiring = async (position: string) =>
    (
      await api.http
        .get('/contracts/expiring?within=3999d')
        .set('Authorization', `Bearer ${api.keys.analyst}`)
        .set('X-Consistent-With', position)
        .expect(200)
    ).body.items as { contractId: string; endsOn: string; followUp: { status: string; dueAt: string | null; repId: string | null; taskId: string | null } }[];

  it("schedules a follow-up before the end date (the owner's team lead), records FollowUpDue and gives the owner a task", async () => {
    const repId = await app.onboard('key-accounts');
    const customerId = await app.register(repId);
    const endsOn = endDate();
    app.clockAt(endsOn, 9);
    const { contractId, position } = await recordContract(customerId, endsOn);
    await scheduled(position);

    const job = await jobOf(customerId, contractId, 0);
    expect(job?.id).toBe(followUpJobId(customerId, contractId, 0, Date.parse(endsOn) - 4 * TEST_DAY_MS));
    expect(job?.data).toMatchObject({ customerId, contractId, contractRevision: 0, endsOn });
    // The team's lead (4 units), not the default (3).
    expect(job?.data.dueAt).toBe(new Date(Date.parse(endsOn) - 4 * TEST_DAY_MS).toISOString());
    const [listed] = (await expiring(position)).filter((item) => item.contractId === contractId);
    expect(listed.followUp).toMatchObject({ status: 'scheduled', dueAt: job?.data.dueAt });

    const due = await until('FollowUpDue', async () => (await followUps(customerId))[0] ?? undefined);
    const dueOn = new Date(Date.parse(endsOn) - 4 * TEST_DAY_MS).toISOString().slice(0, 10);
    expect(due.data).toMatchObject({ contractId, contractRevision: 0, endsOn, dueOn, repId });
    const task = await until('the task', async () => (await followUpTasks(repId))[0] ?? undefined);
    expect(task.data).toMatchObject({ taskId: due.data.taskId, kind: 'follow_up', customerId, dueOn, origin: FOLLOW_UP_ORIGIN });

    await until('the timeline row', async () => {
      const timeline = await api.http.get(`/customers/${customerId}/timeline?types=FollowUpDue`).set('Authorization', `Bearer ${api.keys.analyst}`);
      return timeline.body.items?.[0]?.summary === `Follow-up due on ${dueOn} for contract ${contractId} (ends ${endsOn}): task for rep ${repId}`;
    });
    await until('the task in the read model', async () => {
      const [row] = (await expiring(serializePosition(task.position))).filter((item) => item.contractId === contractId);
      return row.followUp.status === 'task_created' && row;
    });
    expect((await queue.getJob(job?.id as string))?.attemptsMade).toBe(1);
  });

  it('replaces the job when a revision moves the follow-up, and leaves it when a revision does not', async () => {
    const customerId = await app.register();
    const endsOn = endDate();
    app.clockAt(endsOn, 8);
    // Due at the end itself (8 s away); the revision below brings it forward before that.
    const { contractId } = await recordContract(customerId, endsOn, 0);
    const unmoved = await revise(customerId, contractId, { terms: 'Net 60' });
    await scheduled(unmoved);
    expect(await jobOf(customerId, contractId, 0)).toBeDefined();

    const moved = await revise(customerId, contractId, { followUpLeadDays: 3 });
    await scheduled(moved);
    expect(await jobOf(customerId, contractId, 0)).toBeUndefined();
    expect((await jobOf(customerId, contractId, 2))?.data.dueAt).toBe(new Date(Date.parse(endsOn) - 3 * TEST_DAY_MS).toISOString());

    const due = await until('FollowUpDue', async () => (await followUps(customerId))[0] ?? undefined);
    expect(due.data).toMatchObject({ contractId, contractRevision: 2 });
    expect(due.data.repId).toBeUndefined();
    const [row] = (await expiring(serializePosition(due.position))).filter((item) => item.contractId === contractId);
    expect(row.followUp).toMatchObject({ status: 'due', repId: null });
  });

  it('removes the job when the contract is terminated: nothing falls due', async () => {
    const customerId = await app.register();
    const endsOn = endDate();
    app.clockAt(endsOn, 8);
    const { contractId, position } = await recordContract(customerId, endsOn, 3);
    await scheduled(position);
    expect(await jobOf(customerId, contractId, 0)).toBeDefined();
    await scheduled(await terminate(customerId, contractId));
    expect(await jobOf(customerId, contractId, 0)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await followUps(customerId)).toEqual([]);
  });

  it("moves the follow-up when a new owner's team has another lead, and gives the new owner the task", async () => {
    const fieldRep = await app.onboard('field');
    const keyAccountsRep = await app.onboard('key-accounts');
    const customerId = await app.register(fieldRep);
    const endsOn = endDate();
    app.clockAt(endsOn, 9);
    const { contractId, position } = await recordContract(customerId, endsOn);
    await scheduled(position);
    // The default lead (3 units): field has none of its own.
    expect((await jobOf(customerId, contractId, 0))?.data.dueAt).toBe(new Date(Date.parse(endsOn) - 3 * TEST_DAY_MS).toISOString());

    const assigned = await app.service(`/customers/${customerId}/owner`).send({ repId: keyAccountsRep }).expect(200);
    await scheduled(assigned.body.position);
    const moved = await jobOf(customerId, contractId, 0);
    expect(moved?.id).toBe(followUpJobId(customerId, contractId, 0, Date.parse(endsOn) - 4 * TEST_DAY_MS));
    expect((await queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed'])).filter((job) => job.data.contractId === contractId)).toHaveLength(1);

    const due = await until('FollowUpDue', async () => (await followUps(customerId))[0] ?? undefined);
    expect(due.data).toMatchObject({ contractId, contractRevision: 0, repId: keyAccountsRep });
    await until('the task', async () => (await followUpTasks(keyAccountsRep)).find((event) => event.data.customerId === customerId));
    expect(await followUpTasks(fieldRep)).toEqual([]);
    expect(await followUps(customerId)).toHaveLength(1);
  });

  it('waits at its checkpoint while Redis is unreachable, catches up when it returns, and runs every job exactly once', async () => {
    const repId = await app.onboard('field');
    const endsOn = endDate();
    app.clockAt(endsOn, 20);
    await app.relay.close();

    // Commands keep arriving (and succeed) while Redis is away.
    const customers = await Promise.all([app.register(repId), app.register(repId), app.register(), app.register(repId)]);
    const contracts = await Promise.all(customers.map((customerId) => recordContract(customerId, endsOn, 12)));
    const revised = await revise(customers[1], contracts[1].contractId, { followUpLeadDays: 11 });
    const terminated = await terminate(customers[3], contracts[3].contractId);
    await until('the scheduler waiting', async () => (await app.status(FOLLOW_UP_SCHEDULER)).status === 'waiting');
    const statuses = await api.http.get('/projections').set('Authorization', `Bearer ${api.keys.analyst}`).expect(200);
    expect(statuses.body.projections.find((p: { name: string }) => p.name === FOLLOW_UP_SCHEDULER)).toMatchObject({
      state: 'waiting',
      waitingFor: { reason: expect.stringMatching(/Redis/) },
    });
    const metrics = await api.http.get('/metrics').set('Authorization', `Bearer ${api.keys.admin}`).expect(200);
    expect(metrics.text).toContain(`crm_projection_waiting{projection="${FOLLOW_UP_SCHEDULER}",version="1"} 1`);
    expect(metrics.text).toContain(`crm_projection_failed{projection="${FOLLOW_UP_SCHEDULER}",version="1"} 0`);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    await app.relay.open();
    await scheduled(terminated, 20_000);
    await scheduled(revised, 20_000);
    const expected = [
      { customerId: customers[0], contractId: contracts[0].contractId, revision: 0, repId },
      { customerId: customers[1], contractId: contracts[1].contractId, revision: 1, repId },
      { customerId: customers[2], contractId: contracts[2].contractId, revision: 0, repId: undefined },
    ];
    for (const { customerId, contractId, revision } of expected) {
      const job = await until(`job ${contractId}`, async () => {
        const found = await jobOf(customerId, contractId, revision);
        return found?.finishedOn !== undefined && found;
      });
      expect(job.attemptsMade).toBe(1);
      expect(await job.getState()).toBe('completed');
    }
    for (const { customerId, contractId, revision, repId: owner } of expected) {
      const due = await followUps(customerId);
      expect(due.map((event) => event.data)).toEqual([expect.objectContaining({ contractId, contractRevision: revision, ...(owner === undefined ? {} : { repId: owner }) })]);
    }
    expect((await followUpTasks(repId)).map((event) => event.data.customerId).sort()).toEqual([customers[0], customers[1]].sort());
    expect(await followUps(customers[3])).toEqual([]);
    expect(await jobOf(customers[1], contracts[1].contractId, 0)).toBeUndefined();
    expect(await jobOf(customers[3], contracts[3].contractId, 0)).toBeUndefined();
    expect((await app.status(FOLLOW_UP_SCHEDULER)).status).toBe('running');
  });

  it('schedules nothing twice when the log is replayed from position zero', async () => {
    const counts = await queue.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed');
    const effects = (events: RecordedEvent[]) => events.filter((event) => event.type === 'FollowUpDue' || event.type === 'TaskAssigned').map((event) => event.id);
    // The tests above appended 6 FollowUpDue and 4 tasks; the log's readers see them once the writers' transactions are behind every open one.
    const before = await until('the whole log', async () => {
      const events = await wholeLog(store);
      return effects(events).length === 10 && events;
    });
    // A new version of the scheduler builds from the start of the log, re-adding every job it finds;
    // jobs due in the past (all of this file's ran) would run at once if they were re-added.
    await app.replay(followUpScheduler(queue, () => true, app.timing), before[before.length - 1].position);
    expect(await queue.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed')).toEqual(counts);
    expect(effects(await wholeLog(store))).toEqual(effects(before));
  });
});
