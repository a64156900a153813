import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Role } from '#auth';
import { PROBLEM_TYPES } from '#http';
import { newId, PROBLEM_JSON } from '#testing';
import { startTestApi, type TestApi } from './support/api.js';

type Body = Record<string, unknown>;

interface Totals {
  repId: string;
  period: string;
  periodStart: string;
  currency: string;
  revenueMinor: number;
  refundsMinor: number;
  netRevenueMinor: number;
  commissionMinor: number;
  commissionReversedMinor: number;
  commissionNetMinor: number;
  deals: number;
}
interface Standing {
  rank: number;
  repId: string;
  team: string | null;
  currency: string | null;
  netRevenueMinor: number;
  deals: number;
  calls: number;
  attainment: { revenuePct: number | null } | null;
}
interface Board {
  period: string;
  periodStart: string;
  items: Standing[];
}

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${today().slice(0, 7)}-01`;

describe('sales queries: commissions, leaderboard (and its live stream), goals, tasks (api + projector in one process)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ withProjector: true });
  });
  afterAll(async () => {
    await api?.close();
  });

  const as = (role: Role) => ({
    get: (path: string) => api.http.get(path).auth(api.keys[role], { type: 'bearer' }),
    post: (path: string) => api.http.post(path).auth(api.keys[role], { type: 'bearer' }),
  });

  /** Sends a command as the service; answers the log position it wrote. */
  async function command(path: string, body: Body): Promise<string> {
    const response = await as('service').post(path).send(body);
    expect([200, 201]).toContain(response.status);
    return (response.body as { position: string }).position;
  }

  /** A rep on a team with a plan from today: 5 % base, 8 % on hardware, no tiers. */
  async function onboardRep(team: string): Promise<{ repId: string; position: string }> {
    const repId = `rep-${newId()}`;
    await command('/reps', { repId, name: `Rep ${repId}`, email: `${repId}@example.com`, team, region: 'EMEA', startDate: '2026-01-05' });
    const position = await command(`/reps/${repId}/commission-plans`, {
      effectiveFrom: today(),
      baseRateBps: 500,
      categoryRates: [{ category: 'hardware', rateBps: 800 }],
    });
    return { repId, position };
  }

  /** A customer with one order by the rep: 2 x 100.00 hardware + 1 x 50.00 other. */
  async function sell(repId: string, orderId = `o-${newId()}`): Promise<{ customerId: string; orderId: string; position: string }> {
    const customerId = `c-${newId()}`;
    await command('/customers', { customerId, source: 'api', contact: { name: 'Ada Lovelace' } });
    const position = await command(`/customers/${customerId}/purchases`, {
      orderId,
      lines: [
        { productSku: 'SRV-1', category: 'hardware', quantity: 2, unitPriceMinor: 10_000, currency: 'EUR' },
        { productSku: 'SUP-1', quantity: 1, unitPriceMinor: 5_000, currency: 'EUR' },
      ],
      repId,
      purchasedAt: new Date().toISOString(),
    });
    return { customerId, orderId, position };
  }

  it('shows a sale recorded through the api in the rep’s commissions at once, and a refund reversing its share', async () => {
    const { repId } = await onboardRep('North');
    const sale = await sell(repId);
    const day = await as('analyst').get(`/reps/${repId}/commissions?period=day&from=${today()}&to=${today()}`).set('X-Consistent-With', sale.position).expect(200);
    // 2 x 10,000 at 8 % = 1,600; 5,000 at 5 % = 250.
    expect(day.body.items).toEqual([
      expect.objectContaining({
        repId,
        period: 'day',
        periodStart: today(),
        currency: 'EUR',
        revenueMinor: 25_000,
        refundsMinor: 0,
        netRevenueMinor: 25_000,
        commissionMinor: 1_850,
        commissionReversedMinor: 0,
        commissionNetMinor: 1_850,
        deals: 1,
      }),
    ]);

    const refunded = await command(`/customers/${sale.customerId}/refunds`, {
      orderId: sale.orderId,
      lines: [{ lineNo: 1, quantity: 1 }],
      refundedAt: new Date().toISOString(),
    });
    const month = await as('analyst').get(`/reps/${repId}/commissions?period=month&consistentWith=${refunded}`).expect(200);
    // One of the two hardware units back: 10,000 refunded, half of its 1,600 reversed.
    const totals = (month.body.items as Totals[]).find((row) => row.periodStart === monthStart());
    expect(totals).toMatchObject({ revenueMinor: 25_000, refundsMinor: 10_000, netRevenueMinor: 15_000, commissionMinor: 1_850, commissionReversedMinor: 800, commissionNetMinor: 1_050 });

    const all = await as('analyst').get(`/commissions?period=month&team=North&from=${monthStart()}`).set('X-Consistent-With', refunded).expect(200);
    expect((all.body.items as Totals[]).map((row) => row.repId)).toContain(repId);
  });

  it('ranks reps of a team on the leaderboard with their goal attainment', async () => {
    const team = `team-${newId()}`;
    const first = await onboardRep(team);
    const second = await onboardRep(team);
    await command(`/reps/${second.repId}/goals`, { period: 'month', periodStart: monthStart(), revenueMinor: 100_000, currency: 'EUR' });
    await sell(second.repId);
    const last = (await sell(second.repId)).position;

    const board = await as('analyst').get(`/leaderboard?period=month&team=${team}`).set('X-Consistent-With', last).expect(200);
    expect(board.body).toMatchObject({ period: 'month', periodStart: monthStart() });
    const standings = (board.body as Board).items.map((item) => [item.rank, item.repId, item.netRevenueMinor, item.deals]);
    expect(standings).toEqual([
      [1, second.repId, 50_000, 2],
      [2, first.repId, 0, 0],
    ]);
    // 50,000 of a 100,000 goal.
    expect((board.body as Board).items[0].attainment?.revenuePct).toBe(50);

    const goals = await as('analyst').get(`/reps/${second.repId}/goals?period=month`).set('X-Consistent-With', last).expect(200);
    expect(goals.body.items).toEqual([expect.objectContaining({ period: 'month', periodStart: monthStart(), netRevenueMinor: 50_000, deals: 2 })]);
  });

  it('pushes new standings on the live stream after a sale', async () => {
    const team = `live-${newId()}`;
    const { repId, position } = await onboardRep(team);
    const stream = await openStream(`/leaderboard/stream?period=month&team=${team}&consistentWith=${position}`, api.keys.analyst);
    try {
      const first = await stream.next();
      expect(first.event).toBe('standings');
      expect((first.data as Board).items).toEqual([expect.objectContaining({ repId, netRevenueMinor: 0, deals: 0 })]);

      await sell(repId);
      const update = await stream.next();
      expect(update.event).toBe('standings');
      expect((update.data as Board).items).toEqual([expect.objectContaining({ rank: 1, repId, netRevenueMinor: 25_000, deals: 1 })]);
    } finally {
      stream.close();
    }
  });

  it('answers a bad stream request with an HTTP problem before any event', async () => {
    const response = await as('analyst').get('/leaderboard/stream?period=week').expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'period' })]);
  });

  it('lists a rep’s tasks with their counts', async () => {
    const { repId } = await onboardRep('South');
    await command(`/reps/${repId}/tasks`, { taskId: 'call-1', kind: 'call', title: 'Call back', dueOn: '2020-01-01' });
    const position = await command(`/reps/${repId}/tasks`, { taskId: 'visit-1', kind: 'visit', title: 'Visit the site', dueOn: '2099-01-01' });
    const response = await as('analyst').get(`/reps/${repId}/tasks`).set('X-Consistent-With', position).expect(200);
    expect(response.body.items.map((task: { taskId: string; overdue: boolean }) => [task.taskId, task.overdue])).toEqual([
      ['call-1', true],
      ['visit-1', false],
    ]);
    expect(response.body.counts).toEqual({ open: 2, overdue: 1, done: 0 });
    const overdue = await as('analyst').get(`/reps/${repId}/tasks?status=overdue&limit=1`).expect(200);
    expect(overdue.body).toMatchObject({ items: [expect.objectContaining({ taskId: 'call-1' })], nextCursor: null });
  });

  /** A rep that exists (read models included), so only the parameter is at fault in the 400 cases. */
  let rep1 = '0-0';
  beforeAll(async () => {
    rep1 = await command('/reps', { repId: 'rep-1', name: 'Rep One', email: 'rep-1@example.com', team: 'East', region: 'EMEA', startDate: '2026-01-05' });
  });

  it.each([
    ['/reps/rep-nobody/commissions?period=month', 404, PROBLEM_TYPES.notFound],
    ['/reps/rep-nobody/goals', 404, PROBLEM_TYPES.notFound],
    ['/reps/rep-nobody/tasks', 404, PROBLEM_TYPES.notFound],
    ['/reps/rep-1/commissions', 400, PROBLEM_TYPES.validationFailed],
    ['/reps/rep-1/commissions?period=week', 400, PROBLEM_TYPES.validationFailed],
    ['/commissions?period=month&from=2026-13-01', 400, PROBLEM_TYPES.validationFailed],
    ['/leaderboard?date=2026-02-30', 400, PROBLEM_TYPES.validationFailed],
    ['/leaderboard?currency=euro', 400, PROBLEM_TYPES.validationFailed],
    ['/reps/rep-1/tasks?status=late', 400, PROBLEM_TYPES.validationFailed],
    ['/reps/rep-1/tasks?cursor=bogus', 400, PROBLEM_TYPES.validationFailed],
    ['/leaderboard?unknown=1', 400, PROBLEM_TYPES.validationFailed],
  ])('GET %s answers %i', async (path, status, type) => {
    const response = await as('analyst').get(path).set('X-Consistent-With', rep1);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.type).toBe(type);
  });

  it.each([
    ['service', 403],
    ['auditor', 403],
    ['analyst', 200],
    ['admin', 200],
  ] as const)('lets role %s read the leaderboard: %i', async (role, status) => {
    await as(role).get('/leaderboard').expect(status);
  });

  it('refuses the stream without a key', async () => {
    await api.http.get('/leaderboard/stream').expect(401);
  });

  /** A server-sent-events client over a real socket: events one at a time, as they arrive. */
  async function openStream(path: string, key: string) {
    const server = api.app.getHttpServer() as http.Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const events: { event: string; data: unknown }[] = [];
    const waiters: (() => void)[] = [];
    let buffer = '';
    const request = http.get({ host: '127.0.0.1', port, path, headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' } });
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => request.on('response', resolve).on('error', reject));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
        const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
        if (event === undefined) continue; // a keepalive comment
        events.push({ event, data: JSON.parse(data) as unknown });
        waiters.splice(0).forEach((wake) => wake());
      }
    });
    return {
      async next(timeoutMs = 10_000): Promise<{ event: string; data: unknown }> {
        const deadline = Date.now() + timeoutMs;
        while (events.length === 0) {
          if (Date.now() > deadline) throw new Error('no event within the timeout');
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 100);
          });
        }
        return events.shift()!;
      },
      close: () => request.destroy(),
    };
  }
});
