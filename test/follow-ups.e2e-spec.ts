import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { AppConfig } from '#config';
import { customerStream, repStream } from '#domain';
import { parsePosition, serializePosition, type EventStore, type RecordedEvent } from '#event-store';
import { FOLLOW_UP_ORIGIN, FOLLOW_UP_QUEUE, FOLLOW_UP_SCHEDULER, followUpJobId, followUpScheduler, queuePrefix, type FollowUpJob, type FollowUpTiming } from '#follow-ups';
import { borrowedPool } from '#postgres';
import { ProjectionRunner, ReadConsistency, type ProjectionsTables } from '#projections';
import { APP_CONFIG, EVENT_STORE, PG_POOL } from '#runtime';
import { FOLLOW_UP_TIMING } from '../apps/worker/src/follow-ups.service.js';
import { startTestApi, type TestApi } from './support/api.js';

/**
 * Contract follow-ups end to end, against the real PostgreSQL and Redis: the api takes commands,
 * the projector builds the read models, the worker schedules and runs the follow-up jobs.
 *
 * Time is test-sized: a lead "day" lasts a second, and the scheduler's clock is moved to a few
 * seconds before each test's contract end date, so follow-ups fall due within seconds.
 */

/**
 * A TCP relay to the real Redis on a port of its own, which the app is pointed at: closing it is
 * "Redis unreachable" (connections refused) for this app only, as other test files share Redis.
 */
class RedisRelay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

const DAY_MS = 86_400_000;
const UNIT_MS = 1_000;

describe('contract follow-ups (BullMQ on the real Redis)', () => {
  const relay = new RedisRelay();
  let clockOffset = 0;
  const timing: FollowUpTiming = { leadDays: 3, teamLeadDays: { 'key-accounts': 4 }, leadUnitMs: UNIT_MS, now: () => Date.now() + clockOffset };
  let api: TestApi;
  let store: EventStore;
  let pool: pg.Pool;
  let db: Kysely<ProjectionsTables>;
  let redis: Redis;
  let queue: Queue<FollowUpJob>;
  let databaseUrl: string;
  let service: (path: string) => ReturnType<TestApi['http']['post']>;

  beforeAll(async () => {
    await relay.open();
    api = await startTestApi({
      withProjector: true,
      withWorker: true,
      env: { REDIS_URL: `redis://127.0.0.1:${relay.port}` },
      override: (builder) => builder.overrideProvider(FOLLOW_UP_TIMING).useValue(timing),
    });
    store = api.app.get<EventStore>(EVENT_STORE);
    pool = api.app.get<pg.Pool>(PG_POOL);
    databaseUrl = api.app.get<AppConfig>(APP_CONFIG).databaseUrl;
    db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    // The test's own look at the queue, straight to Redis (not through the relay).
    redis = new Redis({ maxRetriesPerRequest: null });
    queue = new Queue<FollowUpJob>(FOLLOW_UP_QUEUE, { connection: redis, prefix: queuePrefix(databaseUrl) });
    service = (path) => api.http.post(path).set('Authorization', `Bearer ${api.keys.service}`);
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await redis?.quit();
    await db?.destroy();
    await api?.close();
    await relay.close();
  });

  /** Moves the scheduler's clock to `secondsBefore` seconds before the start of day `endsOn`. */
  const clockAt = (endsOn: string, secondsBefore: number) => {
    clockOffset = Date.parse(`${endsOn}T00:00:00.000Z`) - secondsBefore * 1_000 - Date.now();
  };
  /** A distinct end date per contract, years ahead (the real clock never reaches it). */
  let day = 0;
  const endDate = () => new Date(Date.parse('2031-01-01') + day++ * DAY_MS).toISOString().slice(0, 10);

  const onboard = async (team: string) => {
    const repId = `rep-${randomUUID()}`;
    await service('/reps').send({ repId, name: 'Grace Hopper', email: 'grace@example.com', team, region: 'EMEA', startDate: '2026-01-05' }).expect(201);
    return repId;
  };
  const register = async (ownerRepId?: string) => {
    const customerId = `cust-${randomUUID()}`;
    await service('/customers')
      .send({ customerId, source: 'api', contact: { name: 'Ada Lovelace' }, ...(ownerRepId === undefined ? {} : { ownerRepId }) })
      .expect(201);
    return customerId;
  };
  const recordContract = async (customerId: string, endsOn: string, followUpLeadDays?: number) => {
    const contractId = `k-${randomUUID()}`;
    const response = await service(`/customers/${customerId}/contracts`)
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
    (await service(`/customers/${customerId}/contracts/${contractId}/terminate`).send({ terminatedOn: '2026-06-30' }).expect(200)).body.position as string;

  const scheduled = (position: string, timeoutMs = 10_000) => new ReadConsistency(db, { timeoutMs }).waitFor([FOLLOW_UP_SCHEDULER], parsePosition(position));
  const eventsOf = async (stream: string, type: string): Promise<RecordedEvent[]> => (await store.readStream(stream)).filter((event) => event.type === type);
  const followUps = (customerId: string) => eventsOf(customerStream(customerId), 'FollowUpDue');
  const followUpTasks = async (repId: string) => (await eventsOf(repStream(repId), 'TaskAssigned')).filter((event) => event.data.origin === FOLLOW_UP_ORIGIN);
  /** Every event in the log, page by page. */
  const wholeLog = async () => {
    const events: RecordedEvent[] = [];
    for (let from = parsePosition('0-0'); ; ) {
      const page = await store.readAll({ from, limit: 1_000 });
      if (page.events.length === 0) return events;
      events.push(...page.events);
      from = page.next;
    }
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const expiring = async (position: string) =>
    (
      await api.http
        .get('/contracts/expiring?within=3999d')
        .set('Authorization', `Bearer ${api.keys.analyst}`)
        .set('X-Consistent-With', position)
        .expect(200)
    ).body.items as { contractId: string; endsOn: string; followUp: { status: string; dueAt: string | null; repId: string | null; taskId: string | null } }[];

  it("schedules a follow-up before the end date (the owner's team lead), records FollowUpDue and gives the owner a task", async () => {
    const repId = await onboard('key-accounts');
    const customerId = await register(repId);
    const endsOn = endDate();
    clockAt(endsOn, 9);
    const { contractId, position } = await recordContract(customerId, endsOn);
    await scheduled(position);

    const jobId = followUpJobId(customerId, contractId, 0);
    const job = await queue.getJob(jobId);
    expect(job?.data).toMatchObject({ customerId, contractId, contractRevision: 0, endsOn });
    // The team's lead (4 units), not the default (3).
    expect(job?.data.dueAt).toBe(new Date(Date.parse(endsOn) - 4 * UNIT_MS).toISOString());
    const [listed] = (await expiring(position)).filter((item) => item.contractId === contractId);
    expect(listed.followUp).toMatchObject({ status: 'scheduled', dueAt: job?.data.dueAt });

    const due = await until('FollowUpDue', async () => (await followUps(customerId))[0] ?? undefined);
    const dueOn = new Date(Date.parse(endsOn) - 4 * UNIT_MS).toISOString().slice(0, 10);
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
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(1);
  });

  it('replaces the job when a revision moves the follow-up, and leaves it when a revision does not', async () => {
    const customerId = await register();
    const endsOn = endDate();
    clockAt(endsOn, 8);
    // Due at the end itself (8 s away); the revision below brings it forward before that.
    const { contractId } = await recordContract(customerId, endsOn, 0);
    const unmoved = await revise(customerId, contractId, { terms: 'Net 60' });
    await scheduled(unmoved);
    expect(await queue.getJob(followUpJobId(customerId, contractId, 0))).toBeDefined();

    const moved = await revise(customerId, contractId, { followUpLeadDays: 3 });
    await scheduled(moved);
    expect(await queue.getJob(followUpJobId(customerId, contractId, 0))).toBeUndefined();
    expect((await queue.getJob(followUpJobId(customerId, contractId, 2)))?.data.dueAt).toBe(new Date(Date.parse(endsOn) - 3 * UNIT_MS).toISOString());

    const due = await until('FollowUpDue', async () => (await followUps(customerId))[0] ?? undefined);
    expect(due.data).toMatchObject({ contractId, contractRevision: 2 });
    expect(due.data.repId).toBeUndefined();
    const [row] = (await expiring(serializePosition(due.position))).filter((item) => item.contractId === contractId);
    expect(row.followUp).toMatchObject({ status: 'due', repId: null });
  });

  it('removes the job when the contract is terminated: nothing falls due', async () => {
    const customerId = await register();
    const endsOn = endDate();
    clockAt(endsOn, 8);
    const { contractId, position } = await recordContract(customerId, endsOn, 3);
    await scheduled(position);
    expect(await queue.getJob(followUpJobId(customerId, contractId, 0))).toBeDefined();
    await scheduled(await terminate(customerId, contractId));
    expect(await queue.getJob(followUpJobId(customerId, contractId, 0))).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await followUps(customerId)).toEqual([]);
  });

  it('waits at its checkpoint while Redis is unreachable, catches up when it returns, and runs every job exactly once', async () => {
    const repId = await onboard('field');
    const endsOn = endDate();
    clockAt(endsOn, 20);
    await relay.close();

    // Commands keep arriving (and succeed) while Redis is away.
    const customers = await Promise.all([register(repId), register(repId), register(), register(repId)]);
    const contracts = await Promise.all(customers.map((customerId) => recordContract(customerId, endsOn, 12)));
    const revised = await revise(customers[1], contracts[1].contractId, { followUpLeadDays: 11 });
    const terminated = await terminate(customers[3], contracts[3].contractId);
    await until('the scheduler waiting', async () => {
      const row = await db.selectFrom('projections.checkpoints').select(['status', 'error']).where('name', '=', FOLLOW_UP_SCHEDULER).executeTakeFirstOrThrow();
      return row.status === 'waiting' && row;
    });
    const statuses = await api.http.get('/projections').set('Authorization', `Bearer ${api.keys.analyst}`).expect(200);
    expect(statuses.body.projections.find((p: { name: string }) => p.name === FOLLOW_UP_SCHEDULER)).toMatchObject({
      state: 'waiting',
      waitingFor: { reason: expect.stringMatching(/Redis/) },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    await relay.open();
    await scheduled(terminated, 20_000);
    await scheduled(revised, 20_000);
    const expected = [
      { customerId: customers[0], contractId: contracts[0].contractId, revision: 0, repId },
      { customerId: customers[1], contractId: contracts[1].contractId, revision: 1, repId },
      { customerId: customers[2], contractId: contracts[2].contractId, revision: 0, repId: undefined },
    ];
    for (const { customerId, contractId, revision } of expected) {
      const job = await until(`job ${contractId}`, async () => {
        const found = await queue.getJob(followUpJobId(customerId, contractId, revision));
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
    expect(await queue.getJob(followUpJobId(customers[1], contracts[1].contractId, 0))).toBeUndefined();
    expect(await queue.getJob(followUpJobId(customers[3], contracts[3].contractId, 0))).toBeUndefined();
    expect((await db.selectFrom('projections.checkpoints').select('status').where('name', '=', FOLLOW_UP_SCHEDULER).executeTakeFirstOrThrow()).status).toBe('running');
  });

  it('schedules nothing twice when the log is replayed from position zero', async () => {
    const counts = await queue.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed');
    const effects = (events: RecordedEvent[]) => events.filter((event) => event.type === 'FollowUpDue' || event.type === 'TaskAssigned').map((event) => event.id);
    // The tests above appended 5 FollowUpDue and 3 tasks; the log's readers see them once the writers' transactions are behind every open one.
    const before = await until('the whole log', async () => {
      const events = await wholeLog();
      return effects(events).length === 8 && events;
    });
    // A new version of the scheduler builds from the start of the log, re-adding every job it finds.
    const replayQueue = new Queue<FollowUpJob>(FOLLOW_UP_QUEUE, { connection: redis, prefix: queuePrefix(databaseUrl) });
    const replay = new ProjectionRunner(store, pool, { ...followUpScheduler(replayQueue, () => true, timing), version: 2 });
    replay.start();
    try {
      const head = before[before.length - 1].position;
      await new ReadConsistency(db, { timeoutMs: 20_000 }).waitFor([FOLLOW_UP_SCHEDULER], head);
      await until('v2 serving', async () => {
        const row = await db.selectFrom('projections.active_versions').select('version').where('name', '=', FOLLOW_UP_SCHEDULER).executeTakeFirst();
        return row?.version === 2;
      });
      // Jobs due in the past (all of this file's ran) would run at once if re-added: give them the time.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await queue.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed')).toEqual(counts);
      expect(effects(await wholeLog())).toEqual(effects(before));
    } finally {
      await replay.stop();
      await replayQueue.close();
    }
  });
});
