import { omit, UTC_TIMESTAMP } from '#testing';
import { bodies, daysFromToday, PLAN_ID, rejections, RepsHarness, ROUTES, type Rejection } from './support.js';

describe('rep commands: onboarding, deactivation, commission plans, goals', () => {
  let h: RepsHarness;

  beforeAll(async () => {
    h = await RepsHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /reps', () => {
    const route = ROUTES.onboard;

    it('onboards a rep: 201, revision 0, a RepOnboarded event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.revision).toBe(0);
      expect(event.data).toEqual({
        name: 'Grace Hopper',
        email: 'grace.hopper@example.com',
        team: 'Enterprise',
        region: 'EMEA',
        startDate: '2026-01-05',
        onboardedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('generates the rep id from the command id when none is given, and trims', async () => {
      const response = await h
        .authed()
        .post('/reps')
        .send({ ...bodies.onboard(), name: '  Ada Lovelace ', team: ' SMB' })
        .expect(201);
      const { repId } = response.body as { repId: string };
      expect(repId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const [event] = await h.events(repId);
      expect(event.metadata.commandId).toBe(repId);
      expect(event.data).toMatchObject({ name: 'Ada Lovelace', team: 'SMB' });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without name', body: (b) => omit(b, 'name'), status: 400, field: 'name' },
        { case: 'without email', body: (b) => omit(b, 'email'), status: 400, field: 'email' },
        { case: 'an invalid e-mail', body: (b) => ({ ...b, email: 'grace-at-example' }), status: 400, field: 'email' },
        { case: 'a number for team', body: (b) => ({ ...b, team: 42 }), status: 400, field: 'team' },
        { case: 'a startDate that is not a date', body: (b) => ({ ...b, startDate: '05.01.2026' }), status: 400, field: 'startDate' },
        { case: 'a repId that is not an id', body: (b) => ({ ...b, repId: 'bad id' }), status: 400, field: 'repId' },
        { case: 'a body that is not an object', body: (b) => [b], status: 400, field: 'body' },
        {
          case: 'a rep id already onboarded',
          given: async (harness, target) => void (await harness.onboard(bodies.onboard(target.repId))),
          status: 422,
          reason: 'rep_already_onboarded',
          field: 'repId',
        },
        {
          case: 'a rep id of a deactivated rep',
          given: async (harness, target) => {
            await harness.onboard(bodies.onboard(target.repId));
            await harness.authed().post(`/reps/${target.repId}/deactivate`).send({}).expect(200);
          },
          status: 422,
          reason: 'rep_deactivated',
        },
        { case: 'a blank name', body: (b) => ({ ...b, name: '  ' }), status: 422, reason: 'name_required', field: 'name' },
        { case: 'a startDate that does not exist', body: (b) => ({ ...b, startDate: '2026-02-30' }), status: 422, reason: 'invalid_date', field: 'startDate' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /reps/:id/deactivate', () => {
    const route = ROUTES.deactivate;

    it('deactivates: 200 and a RepDeactivated event with the reason', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ reason: 'Left the company', deactivatedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it('takes no body at all', async () => {
      const target = await h.target(route);
      const response = await h.authed().post(`/reps/${target.repId}/deactivate`).expect(200);
      expect(response.body).toMatchObject({ repId: target.repId, revision: 1 });
      expect(await h.types(target.repId)).toEqual(['RepOnboarded', 'RepDeactivated']);
    });

    it.each<Rejection>(
      rejections(route, [{ case: 'a reason that is not text', body: () => ({ reason: ['a'] }), status: 400, field: 'reason' }]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /reps/:id/commission-plans', () => {
    const route = ROUTES.plans;
    const setPlan = (harness: RepsHarness, repId: string, body: Record<string, unknown>) =>
      harness.authed().post(`/reps/${repId}/commission-plans`).send(body).expect(201);
    const flat = (effectiveFrom: string, planId?: string) => ({ ...(planId ? { planId } : {}), effectiveFrom, baseRateBps: 300 });

    it('sets a tiered plan with category rates: 201 and a CommissionPlanSet event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        planId: PLAN_ID,
        effectiveFrom: daysFromToday(1),
        baseRateBps: 500,
        categoryRates: [{ category: 'hardware', rateBps: 800 }],
        tiers: [
          { thresholdMinor: 1_000_000, rateBps: 900 },
          { thresholdMinor: 5_000_000, rateBps: 1000 },
        ],
        tierPeriod: 'quarter',
        currency: 'EUR',
        setAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('sets a flat plan, its id derived from the command id, then a later one', async () => {
      const target = await h.target(route);
      const first = await h.expectAppended(route, target, { body: flat(daysFromToday(2)) });
      expect(first.data).toEqual({
        planId: first.metadata.commandId,
        effectiveFrom: daysFromToday(2),
        baseRateBps: 300,
        categoryRates: [],
        tiers: [],
        setAt: expect.stringMatching(UTC_TIMESTAMP),
      });
      await h.expectAppended(route, target, { body: flat(daysFromToday(3), 'plan-later') });
    });

    const tiers = (...thresholds: number[]) => thresholds.map((thresholdMinor, i) => ({ thresholdMinor, rateBps: 600 + i }));
    it.each<Rejection>(
      rejections(route, [
        { case: 'without effectiveFrom', body: (b) => omit(b, 'effectiveFrom'), status: 400, field: 'effectiveFrom' },
        { case: 'without baseRateBps', body: (b) => omit(b, 'baseRateBps'), status: 400, field: 'baseRateBps' },
        { case: 'a base rate over 10,000 bps', body: (b) => ({ ...b, baseRateBps: 10_001 }), status: 400, field: 'baseRateBps' },
        { case: 'a fractional base rate', body: (b) => ({ ...b, baseRateBps: 7.5 }), status: 400, field: 'baseRateBps' },
        { case: 'a string for the base rate', body: (b) => ({ ...b, baseRateBps: '500' }), status: 400, field: 'baseRateBps' },
        { case: 'a negative category rate', body: (b) => ({ ...b, categoryRates: [{ category: 'a', rateBps: -1 }] }), status: 400, field: 'categoryRates.0.rateBps' },
        { case: 'a category rate without category', body: (b) => ({ ...b, categoryRates: [{ rateBps: 1 }] }), status: 400, field: 'categoryRates.0.category' },
        { case: 'a zero threshold', body: (b) => ({ ...b, tiers: [{ thresholdMinor: 0, rateBps: 1 }] }), status: 400, field: 'tiers.0.thresholdMinor' },
        { case: 'an unknown field in a tier', body: (b) => ({ ...b, tiers: [{ thresholdMinor: 1, rateBps: 1, cap: 5 }] }), status: 400, field: 'tiers.0.cap' },
        { case: 'an unknown tier period', body: (b) => ({ ...b, tierPeriod: 'week' }), status: 400, field: 'tierPeriod' },
        { case: 'a currency that is not a code', body: (b) => ({ ...b, currency: 'EURO' }), status: 400, field: 'currency' },
        { case: 'an effectiveFrom that is not a date', body: (b) => ({ ...b, effectiveFrom: 'tomorrow' }), status: 400, field: 'effectiveFrom' },
        {
          case: 'a plan id already set',
          given: async (harness, target) => void (await setPlan(harness, target.repId, flat(daysFromToday(1), PLAN_ID))),
          body: (b) => ({ ...b, effectiveFrom: daysFromToday(5) }),
          status: 422,
          reason: 'plan_already_set',
          field: 'planId',
        },
        {
          case: 'an effectiveFrom not after the latest plan’s',
          given: async (harness, target) => void (await setPlan(harness, target.repId, flat(daysFromToday(10), 'plan-0'))),
          body: (b) => ({ ...b, effectiveFrom: daysFromToday(10) }),
          status: 422,
          reason: 'plan_not_after_latest',
          field: 'effectiveFrom',
        },
        { case: 'an effectiveFrom in the past', body: (b) => ({ ...b, effectiveFrom: daysFromToday(-1) }), status: 422, reason: 'plan_in_past', field: 'effectiveFrom' },
        {
          case: 'a category rated twice',
          body: (b) => ({ ...b, categoryRates: [{ category: 'hardware', rateBps: 1 }, { category: ' hardware ', rateBps: 2 }] }),
          status: 422,
          reason: 'duplicate_category',
          field: 'categoryRates.1.category',
        },
        { case: 'thresholds not ascending', body: (b) => ({ ...b, tiers: tiers(5, 9, 9) }), status: 422, reason: 'tiers_not_ascending', field: 'tiers.2.thresholdMinor' },
        { case: 'tiers without a tier period', body: (b) => omit(b, 'tierPeriod'), status: 422, reason: 'tier_period_required', field: 'tierPeriod' },
        { case: 'tiers without a currency', body: (b) => omit(b, 'currency'), status: 422, reason: 'currency_required', field: 'currency' },
        { case: 'a tier period without tiers', body: (b) => ({ ...omit(b, 'tiers', 'currency') }), status: 422, reason: 'tier_period_without_tiers', field: 'tierPeriod' },
        { case: 'a currency without tiers', body: (b) => ({ ...omit(b, 'tierPeriod'), tiers: [] }), status: 422, reason: 'currency_without_tiers', field: 'currency' },
        { case: 'an effectiveFrom that does not exist', body: (b) => ({ ...b, effectiveFrom: '2099-02-30' }), status: 422, reason: 'invalid_date', field: 'effectiveFrom' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /reps/:id/goals', () => {
    const route = ROUTES.goals;

    it('sets a goal: 201 and a GoalSet event, the currency upper-cased', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        period: 'month',
        periodStart: '2026-07-01',
        revenueMinor: 5_000_000,
        currency: 'EUR',
        deals: 12,
        calls: 300,
        setAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('sets a quarter’s goal of calls only, and sets it again to replace it', async () => {
      const target = await h.target(route);
      const body = { period: 'quarter', periodStart: '2026-10-01', calls: 250 };
      const first = await h.expectAppended(route, target, { body });
      expect(first.data).toEqual({ ...body, setAt: expect.stringMatching(UTC_TIMESTAMP) });
      const second = await h.expectAppended(route, target, { body: { ...body, calls: 280 } });
      expect(second.data).toMatchObject({ calls: 280 });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without period', body: (b) => omit(b, 'period'), status: 400, field: 'period' },
        { case: 'an unknown period', body: (b) => ({ ...b, period: 'week' }), status: 400, field: 'period' },
        { case: 'a periodStart that is not a date', body: (b) => ({ ...b, periodStart: '2026-07' }), status: 400, field: 'periodStart' },
        { case: 'a negative revenue target', body: (b) => ({ ...b, revenueMinor: -1 }), status: 400, field: 'revenueMinor' },
        { case: 'a string for deals', body: (b) => ({ ...b, deals: '12' }), status: 400, field: 'deals' },
        { case: 'a month not starting on the 1st', body: (b) => ({ ...b, periodStart: '2026-07-02' }), status: 422, reason: 'invalid_period_start', field: 'periodStart' },
        { case: 'a quarter starting in August', body: (b) => ({ ...b, period: 'quarter', periodStart: '2026-08-01' }), status: 422, reason: 'invalid_period_start', field: 'periodStart' },
        { case: 'no target', body: (b) => omit(b, 'revenueMinor', 'currency', 'deals', 'calls'), status: 422, reason: 'goal_without_target' },
        { case: 'a revenue target without currency', body: (b) => omit(b, 'currency'), status: 422, reason: 'currency_required', field: 'currency' },
        { case: 'a currency without revenue target', body: (b) => omit(b, 'revenueMinor'), status: 422, reason: 'currency_without_revenue', field: 'currency' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });
});
