import { NotFoundError, RuleViolationError, fold } from '#domain';
import { EVENT_SCHEMA_VERSION, domainPersonalData, schemaVersionOf } from '#event-catalog';
import { givenFor } from '#testing';
import {
  REP_EVENT_SCHEMA_VERSION,
  REP_EVENT_TYPES,
  initialRepState,
  reassignedTask,
  repDecider,
  repIdOfStream,
  repStream,
  toRepEvent,
  type RepCommand,
  type RepCommandOf,
  type RepEvent,
  type RepState,
} from './index.js';

const given = givenFor(repDecider);

// ---- fixtures -----------------------------------------------------------------------------------

const ID = 'ann';
const at = (day: number, time = '10:00:00') => `2024-05-${String(day).padStart(2, '0')}T${time}.000Z`;

const onboarded: RepEvent = {
  type: 'RepOnboarded',
  data: { name: 'Ann Lee', email: 'ann@example.com', team: 'Enterprise', region: 'EMEA', startDate: '2024-05-01', onboardedAt: at(1) },
};

const deactivated: RepEvent = { type: 'RepDeactivated', data: { reason: 'left the company', deactivatedAt: at(20) } };

const planSet = (planId: string, effectiveFrom: string): RepEvent => ({
  type: 'CommissionPlanSet',
  data: { planId, effectiveFrom, baseRateBps: 500, categoryRates: [], tiers: [], setAt: at(2) },
});

const taskAssigned = (taskId = 'task-1', overrides: Partial<Extract<RepEvent, { type: 'TaskAssigned' }>['data']> = {}): RepEvent => ({
  type: 'TaskAssigned',
  data: { taskId, kind: 'call', title: 'Call about renewal', customerId: 'cust-1', dueOn: '2024-05-15', assignedAt: at(3), ...overrides },
});

const taskCompleted = (taskId = 'task-1'): RepEvent => ({ type: 'TaskCompleted', data: { taskId, customerId: 'cust-1', outcome: 'renewed', completedAt: at(4) } });

const taskReassigned = (taskId = 'task-1', toRepId = 'bob'): RepEvent => ({ type: 'TaskReassigned', data: { taskId, customerId: 'cust-1', toRepId, reassignedAt: at(5) } });

const onboard = (overrides: Partial<RepCommandOf<'OnboardRep'>> = {}): RepCommand => ({
  type: 'OnboardRep',
  repId: ID,
  name: 'Ann Lee',
  email: 'ann@example.com',
  team: 'Enterprise',
  region: 'EMEA',
  startDate: '2024-05-01',
  onboardedAt: at(1),
  ...overrides,
});

const setPlan = (overrides: Record<string, unknown> = {}): RepCommand =>
  ({ type: 'SetCommissionPlan', repId: ID, planId: 'plan-2', effectiveFrom: '2024-06-01', baseRateBps: 700, setAt: at(10), ...overrides }) as RepCommand;

const setGoal = (overrides: Record<string, unknown> = {}): RepCommand =>
  ({ type: 'SetGoal', repId: ID, period: 'month', periodStart: '2024-06-01', deals: 10, setAt: at(10), ...overrides }) as RepCommand;

const assign = (overrides: Record<string, unknown> = {}): RepCommand =>
  ({ type: 'AssignTask', repId: ID, taskId: 'task-2', kind: 'visit', title: 'Demo on site', dueOn: '2024-05-20', assignedAt: at(6), ...overrides }) as RepCommand;

const complete = (taskId = 'task-1'): RepCommand => ({ type: 'CompleteTask', repId: ID, taskId, outcome: 'renewed', completedAt: at(4) });

const reassign = (overrides: Partial<RepCommandOf<'ReassignTask'>> = {}): RepCommandOf<'ReassignTask'> => ({
  type: 'ReassignTask',
  repId: ID,
  taskId: 'task-1',
  toRepId: 'bob',
  reason: 'holiday',
  reassignedAt: at(8),
  ...overrides,
});

/** One command of every kind but OnboardRep, valid on an onboarded rep holding the open task-1. */
const everyOtherCommand: RepCommand[] = [
  { type: 'DeactivateRep', repId: ID, deactivatedAt: at(9) },
  setPlan(),
  setGoal(),
  assign(),
  complete(),
  reassign(),
];

// ---- OnboardRep ---------------------------------------------------------------------------------

describe('OnboardRep', () => {
  it('onboards a rep, trimming the text and normalising the time to UTC', () => {
    given([])
      .when(onboard({ name: '  Ann Lee ', email: ' ann@example.com ', team: 'Enterprise ', region: ' EMEA', onboardedAt: '2024-05-01T12:00:00+02:00' }))
      .then([{ ...onboarded, data: { ...onboarded.data, onboardedAt: at(1) } }]);
  });

  it('refuses to onboard twice', () => {
    given([onboarded]).when(onboard()).thenThrows(RuleViolationError, 'rep_already_onboarded', 'repId');
  });

  it('refuses a deactivated rep', () => {
    given([onboarded, deactivated]).when(onboard()).thenThrows(RuleViolationError, 'rep_deactivated');
  });

  it.each([
    ['name', { name: '  ' }, 'name_required'],
    ['email', { email: undefined }, 'required'],
    ['email', { email: 'ann-at-example.com' }, 'invalid_email'],
    ['team', { team: '' }, 'required'],
    ['region', { region: 7 }, 'required'],
    ['startDate', { startDate: '2024-02-30' }, 'invalid_date'],
    ['onboardedAt', { onboardedAt: '2024-05-01T10:00:00' }, 'invalid_timestamp'],
  ])('checks %s (%j)', (field, overrides, reason) => {
    given([])
      .when(onboard(overrides as Partial<RepCommandOf<'OnboardRep'>>))
      .thenThrows(RuleViolationError, reason, field);
  });
});

// ---- rules common to every command on an onboarded rep --------------------------------------------

describe('any command but OnboardRep', () => {
  const cases = everyOtherCommand.map((command) => [command.type, command] as const);

  it.each(cases)('%s on an unknown rep is 404 rep_not_found', (_, command) => {
    given([]).when(command).thenThrows(NotFoundError, 'rep_not_found', 'repId');
  });

  it.each(cases)('%s on a deactivated rep is rep_deactivated (deactivating twice included)', (_, command) => {
    given([onboarded, taskAssigned(), deactivated]).when(command).thenThrows(RuleViolationError, 'rep_deactivated');
  });

  it.each(cases)('%s succeeds on an active rep (fixture sanity)', (_, command) => {
    expect(repDecider.decide(command, fold(repDecider, [onboarded, taskAssigned()]))).toHaveLength(1);
  });
});

// ---- DeactivateRep ------------------------------------------------------------------------------

describe('DeactivateRep', () => {
  it('records the deactivation, with or without a reason', () => {
    given([onboarded]).when({ type: 'DeactivateRep', repId: ID, reason: 'left the company', deactivatedAt: at(20) }).then([deactivated]);
    given([onboarded])
      .when({ type: 'DeactivateRep', repId: ID, reason: ' ', deactivatedAt: at(20) })
      .then([{ type: 'RepDeactivated', data: { deactivatedAt: at(20) } }]);
  });
});

// ---- SetCommissionPlan --------------------------------------------------------------------------

describe('SetCommissionPlan', () => {
  const history = [onboarded, planSet('plan-1', '2024-05-01')];

  it('sets a flat plan: no category rates, no tiers', () => {
    given(history)
      .when(setPlan())
      .then([{ type: 'CommissionPlanSet', data: { planId: 'plan-2', effectiveFrom: '2024-06-01', baseRateBps: 700, categoryRates: [], tiers: [], setAt: at(10) } }]);
  });

  it('sets a plan with category rates (trimmed) and ascending tiers in a currency (upper-cased)', () => {
    given([onboarded])
      .when(
        setPlan({
          baseRateBps: 0,
          categoryRates: [
            { category: ' books ', rateBps: 1000 },
            { category: 'Books', rateBps: 10_000 },
          ],
          tiers: [
            { thresholdMinor: 1, rateBps: 800 },
            { thresholdMinor: 5_000_000, rateBps: 900 },
          ],
          tierPeriod: 'quarter',
          currency: 'eur',
        }),
      )
      .then([
        {
          type: 'CommissionPlanSet',
          data: {
            planId: 'plan-2',
            effectiveFrom: '2024-06-01',
            baseRateBps: 0,
            categoryRates: [
              { category: 'books', rateBps: 1000 },
              { category: 'Books', rateBps: 10_000 },
            ],
            tiers: [
              { thresholdMinor: 1, rateBps: 800 },
              { thresholdMinor: 5_000_000, rateBps: 900 },
            ],
            tierPeriod: 'quarter',
            currency: 'EUR',
            setAt: at(10),
          },
        },
      ]);
  });

  it('takes effect on the day it is set at the earliest, that day counted in UTC', () => {
    expect(repDecider.decide(setPlan({ effectiveFrom: '2024-05-10' }), fold(repDecider, history))).toHaveLength(1);
    // 01:00 in UTC+2 is still the 9th in UTC.
    expect(repDecider.decide(setPlan({ effectiveFrom: '2024-05-09', setAt: '2024-05-10T01:00:00+02:00' }), fold(repDecider, history))).toHaveLength(1);
    given(history)
      .when(setPlan({ effectiveFrom: '2024-05-09' }))
      .thenThrows(RuleViolationError, 'plan_in_past', 'effectiveFrom');
  });

  it('takes effect strictly after the latest plan', () => {
    const later = [...history, planSet('plan-3', '2024-07-01')];
    given(later).when(setPlan({ effectiveFrom: '2024-07-01' })).thenThrows(RuleViolationError, 'plan_not_after_latest', 'effectiveFrom');
    given(later).when(setPlan({ effectiveFrom: '2024-06-15' })).thenThrows(RuleViolationError, 'plan_not_after_latest', 'effectiveFrom');
    expect(repDecider.decide(setPlan({ effectiveFrom: '2024-07-02' }), fold(repDecider, later))).toHaveLength(1);
  });

  it('never sets a plan id twice', () => {
    given(history).when(setPlan({ planId: 'plan-1', effectiveFrom: '2024-09-01' })).thenThrows(RuleViolationError, 'plan_already_set', 'planId');
  });

  const tiered = { tiers: [{ thresholdMinor: 100, rateBps: 800 }], tierPeriod: 'month', currency: 'EUR' };
  it.each([
    ['a base rate over 100 %', { baseRateBps: 10_001 }, 'rate_out_of_range', 'baseRateBps'],
    ['a negative base rate', { baseRateBps: -1 }, 'rate_out_of_range', 'baseRateBps'],
    ['a fractional base rate', { baseRateBps: 7.5 }, 'not_an_integer', 'baseRateBps'],
    ['a category rate out of range', { categoryRates: [{ category: 'a', rateBps: 20_000 }] }, 'rate_out_of_range', 'categoryRates[0].rateBps'],
    ['a tier rate out of range', { ...tiered, tiers: [{ thresholdMinor: 100, rateBps: -5 }] }, 'rate_out_of_range', 'tiers[0].rateBps'],
    ['a category twice (after trimming)', { categoryRates: [{ category: 'a', rateBps: 1 }, { category: 'b', rateBps: 1 }, { category: ' a', rateBps: 2 }] }, 'duplicate_category', 'categoryRates[2].category'],
    ['a blank category', { categoryRates: [{ category: ' ', rateBps: 1 }] }, 'required', 'categoryRates[0].category'],
    ['category rates that are not a list', { categoryRates: { a: 1 } }, 'invalid_value', 'categoryRates'],
    ['a tier that is not an object', { ...tiered, tiers: [42] }, 'invalid_value', 'tiers[0]'],
    ['a zero threshold', { ...tiered, tiers: [{ thresholdMinor: 0, rateBps: 1 }] }, 'threshold_not_positive', 'tiers[0].thresholdMinor'],
    ['thresholds that repeat', { ...tiered, tiers: [{ thresholdMinor: 5, rateBps: 1 }, { thresholdMinor: 5, rateBps: 2 }] }, 'tiers_not_ascending', 'tiers[1].thresholdMinor'],
    ['thresholds that descend', { ...tiered, tiers: [{ thresholdMinor: 1, rateBps: 1 }, { thresholdMinor: 9, rateBps: 2 }, { thresholdMinor: 3, rateBps: 3 }] }, 'tiers_not_ascending', 'tiers[2].thresholdMinor'],
    ['tiers without a tier period', { ...tiered, tierPeriod: undefined }, 'tier_period_required', 'tierPeriod'],
    ['tiers without a currency', { ...tiered, currency: null }, 'currency_required', 'currency'],
    ['a tier period without tiers', { tierPeriod: 'month' }, 'tier_period_without_tiers', 'tierPeriod'],
    ['a currency without tiers', { tiers: [], currency: 'EUR' }, 'currency_without_tiers', 'currency'],
    ['an unknown tier period', { ...tiered, tierPeriod: 'week' }, 'invalid_value', 'tierPeriod'],
    ['a bad currency', { ...tiered, currency: 'EURO' }, 'invalid_currency', 'currency'],
    ['a bad effectiveFrom', { effectiveFrom: '2024-6-1' }, 'invalid_date', 'effectiveFrom'],
    ['no plan id', { planId: '' }, 'required', 'planId'],
  ])('refuses %s', (_, overrides, reason, field) => {
    given(history).when(setPlan(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

// ---- SetGoal ------------------------------------------------------------------------------------

describe('SetGoal', () => {
  it('sets a month’s revenue goal in a currency (upper-cased)', () => {
    given([onboarded])
      .when(setGoal({ revenueMinor: 5_000_000, currency: 'eur', deals: undefined }))
      .then([{ type: 'GoalSet', data: { period: 'month', periodStart: '2024-06-01', revenueMinor: 5_000_000, currency: 'EUR', setAt: at(10) } }]);
  });

  it('sets a quarter’s and a year’s goal of deals and calls, zero included', () => {
    given([onboarded])
      .when(setGoal({ period: 'quarter', periodStart: '2024-07-01', deals: 0, calls: 300 }))
      .then([{ type: 'GoalSet', data: { period: 'quarter', periodStart: '2024-07-01', deals: 0, calls: 300, setAt: at(10) } }]);
    given([onboarded])
      .when(setGoal({ period: 'year', periodStart: '2025-01-01', deals: undefined, calls: 1200 }))
      .then([{ type: 'GoalSet', data: { period: 'year', periodStart: '2025-01-01', calls: 1200, setAt: at(10) } }]);
  });

  it.each([
    ['a month not starting on the 1st', { periodStart: '2024-06-02' }, 'invalid_period_start', 'periodStart'],
    ['a quarter starting in May', { period: 'quarter', periodStart: '2024-05-01' }, 'invalid_period_start', 'periodStart'],
    ['a year starting in April', { period: 'year', periodStart: '2024-04-01' }, 'invalid_period_start', 'periodStart'],
    ['no target', { deals: undefined }, 'goal_without_target', undefined],
    ['a revenue target without currency', { revenueMinor: 100 }, 'currency_required', 'currency'],
    ['a currency without revenue target', { currency: 'EUR' }, 'currency_without_revenue', 'currency'],
    ['a negative target', { calls: -1 }, 'target_negative', 'calls'],
    ['a fractional revenue', { revenueMinor: 10.5, currency: 'EUR' }, 'not_an_integer', 'revenueMinor'],
    ['an unknown period', { period: 'week' }, 'invalid_value', 'period'],
    ['a bad periodStart', { periodStart: '2024-02-30' }, 'invalid_date', 'periodStart'],
  ])('refuses %s', (_, overrides, reason, field) => {
    given([onboarded]).when(setGoal(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

// ---- tasks --------------------------------------------------------------------------------------

describe('AssignTask', () => {
  it('assigns a task, its title trimmed', () => {
    given([onboarded])
      .when(assign({ title: '  Demo on site ', customerId: 'cust-9', origin: 'contract-follow-up' }))
      .then([
        {
          type: 'TaskAssigned',
          data: { taskId: 'task-2', kind: 'visit', title: 'Demo on site', customerId: 'cust-9', dueOn: '2024-05-20', origin: 'contract-follow-up', assignedAt: at(6) },
        },
      ]);
  });

  it('assigns a task of no customer, and one handed over from another rep', () => {
    given([onboarded])
      .when(assign({ kind: 'other', reassignedFromRepId: 'bob' }))
      .then([{ type: 'TaskAssigned', data: { taskId: 'task-2', kind: 'other', title: 'Demo on site', dueOn: '2024-05-20', reassignedFromRepId: 'bob', assignedAt: at(6) } }]);
  });

  it('takes ids that are names of Object.prototype members for what they are', () => {
    const [event] = given([onboarded])
      .when(assign({ taskId: 'constructor' }))
      .then([{ type: 'TaskAssigned', data: { taskId: 'constructor', kind: 'visit', title: 'Demo on site', dueOn: '2024-05-20', assignedAt: at(6) } }]);
    given([onboarded, event]).when(complete('constructor')).then([{ type: 'TaskCompleted', data: { taskId: 'constructor', outcome: 'renewed', completedAt: at(4) } }]);
    given([onboarded]).when(complete('toString')).thenThrows(NotFoundError, 'task_not_found', 'taskId');
  });

  it.each([
    ['open', [taskAssigned()]],
    ['completed', [taskAssigned(), taskCompleted()]],
    ['reassigned away', [taskAssigned(), taskReassigned()]],
  ])('never assigns a task id this rep had before (%s)', (_, tasks) => {
    given([onboarded, ...tasks])
      .when(assign({ taskId: 'task-1' }))
      .thenThrows(RuleViolationError, 'task_already_assigned', 'taskId');
  });

  it.each([
    ['an unknown kind', { kind: 'lunch' }, 'invalid_value', 'kind'],
    ['a blank title', { title: '\t' }, 'required', 'title'],
    ['a due date that does not exist', { dueOn: '2024-02-30' }, 'invalid_date', 'dueOn'],
    ['a due date with a time', { dueOn: '2024-05-20T10:00:00Z' }, 'invalid_date', 'dueOn'],
    ['no task id', { taskId: ' ' }, 'required', 'taskId'],
  ])('refuses %s', (_, overrides, reason, field) => {
    given([onboarded]).when(assign(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

describe('CompleteTask', () => {
  it('completes an open task', () => {
    given([onboarded, taskAssigned()]).when(complete()).then([taskCompleted()]);
    given([onboarded, taskAssigned()])
      .when({ type: 'CompleteTask', repId: ID, taskId: 'task-1', completedAt: at(4) })
      .then([{ type: 'TaskCompleted', data: { taskId: 'task-1', customerId: 'cust-1', completedAt: at(4) } }]);
  });

  it('completes only an open task this rep holds', () => {
    given([onboarded]).when(complete()).thenThrows(NotFoundError, 'task_not_found', 'taskId');
    given([onboarded, taskAssigned(), taskCompleted()]).when(complete()).thenThrows(RuleViolationError, 'task_completed', 'taskId');
    given([onboarded, taskAssigned(), taskReassigned()]).when(complete()).thenThrows(RuleViolationError, 'task_reassigned', 'taskId');
  });
});

describe('ReassignTask', () => {
  const history = [onboarded, taskAssigned()];

  it('records that the task left for the other rep', () => {
    given(history)
      .when(reassign())
      .then([{ type: 'TaskReassigned', data: { taskId: 'task-1', customerId: 'cust-1', toRepId: 'bob', reason: 'holiday', reassignedAt: at(8) } }]);
  });

  const refusals: [string, RepEvent[], RepCommandOf<'ReassignTask'>, typeof NotFoundError | typeof RuleViolationError, string, string | undefined][] = [
    ['to the rep who holds it', history, reassign({ toRepId: ID }), RuleViolationError, 'reassign_to_self', 'toRepId'],
    ['to no rep', history, reassign({ toRepId: '' }), RuleViolationError, 'required', 'toRepId'],
    ['an unknown task', history, reassign({ taskId: 'task-9' }), NotFoundError, 'task_not_found', 'taskId'],
    ['a completed task', [...history, taskCompleted()], reassign(), RuleViolationError, 'task_completed', 'taskId'],
    ['a task already reassigned', [...history, taskReassigned('task-1', 'carl')], reassign(), RuleViolationError, 'task_reassigned', 'taskId'],
    ['a task of an unknown rep', [], reassign(), NotFoundError, 'rep_not_found', 'repId'],
    ['a task of a deactivated rep', [...history, deactivated], reassign(), RuleViolationError, 'rep_deactivated', undefined],
  ];

  it.each(refusals)('refuses %s', (_, events, command, errorClass, reason, field) => {
    given(events).when(command).thenThrows(errorClass, reason, field);
  });

  describe('the assignment it makes on the target rep’s stream (reassignedTask)', () => {
    it('hands the task over as it stands, naming where it came from', () => {
      const source = fold(repDecider, [onboarded, taskAssigned('task-1', { origin: 'contract-follow-up' })]);
      const assignment = reassignedTask(reassign({ reassignedAt: '2024-05-08T12:00:00+02:00' }), source);
      expect(assignment).toStrictEqual({
        type: 'AssignTask',
        repId: 'bob',
        taskId: 'task-1',
        kind: 'call',
        title: 'Call about renewal',
        customerId: 'cust-1',
        dueOn: '2024-05-15',
        origin: 'contract-follow-up',
        reassignedFromRepId: ID,
        assignedAt: at(8),
      });
      // Decided on the target's stream, it becomes the target's open task.
      const bob: RepEvent = { ...onboarded, data: { ...onboarded.data, name: 'Bob' } };
      given([bob])
        .when(assignment)
        .then([
          {
            type: 'TaskAssigned',
            data: { taskId: 'task-1', kind: 'call', title: 'Call about renewal', customerId: 'cust-1', dueOn: '2024-05-15', reassignedFromRepId: ID, origin: 'contract-follow-up', assignedAt: at(8) },
          },
        ]);
    });

    it("hands over the task of an erased customer, whose title reads erased, with a title of its own", () => {
      const erasedTitle = { $erased: true } as unknown as string;
      const source = fold(repDecider, [onboarded, taskAssigned('task-1', { title: erasedTitle })]);
      expect(reassignedTask(reassign(), source).title).toBe('Task about an erased customer');
    });

    it('leaves out what the task lacks', () => {
      const source = fold(repDecider, [onboarded, taskAssigned('task-1', { customerId: undefined })]);
      const assignment = reassignedTask(reassign(), source);
      expect(assignment.customerId).toBeUndefined();
      expect(assignment.origin).toBeUndefined();
    });

    it.each(refusals)('refuses %s, as deciding on the source would', (_, events, command, errorClass, reason, field) => {
      let error: unknown;
      try {
        reassignedTask(command, fold(repDecider, events));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(errorClass);
      expect(error).toMatchObject({ reason, ...(field === undefined ? {} : { field }) });
    });
  });
});

// ---- evolve -------------------------------------------------------------------------------------

describe('evolve', () => {
  const history: RepEvent[] = [
    onboarded,
    planSet('plan-1', '2024-05-01'),
    {
      type: 'CommissionPlanSet',
      data: {
        planId: 'plan-2',
        effectiveFrom: '2024-07-01',
        baseRateBps: 600,
        categoryRates: [{ category: 'books', rateBps: 900 }],
        tiers: [{ thresholdMinor: 1_000_000, rateBps: 800 }],
        tierPeriod: 'month',
        currency: 'EUR',
        setAt: at(9),
      },
    },
    { type: 'GoalSet', data: { period: 'month', periodStart: '2024-06-01', deals: 5, setAt: at(2) } },
    { type: 'GoalSet', data: { period: 'quarter', periodStart: '2024-07-01', calls: 100, setAt: at(2) } },
    // Replaces June's goal.
    { type: 'GoalSet', data: { period: 'month', periodStart: '2024-06-01', revenueMinor: 900_000, currency: 'EUR', setAt: at(3) } },
    taskAssigned(),
    taskAssigned('task-2', { kind: 'email', customerId: undefined, origin: 'contract-follow-up', reassignedFromRepId: 'carl' }),
    taskAssigned('task-3'),
    taskCompleted('task-1'),
    taskReassigned('task-3', 'bob'),
    deactivated,
  ];

  const expected: RepState = {
    onboarded: true,
    deactivated: true,
    name: 'Ann Lee',
    email: 'ann@example.com',
    team: 'Enterprise',
    region: 'EMEA',
    startDate: '2024-05-01',
    onboardedAt: at(1),
    deactivatedAt: at(20),
    deactivationReason: 'left the company',
    plans: [
      { planId: 'plan-1', effectiveFrom: '2024-05-01', baseRateBps: 500, categoryRates: [], tiers: [], tierPeriod: null, currency: null, setAt: at(2) },
      {
        planId: 'plan-2',
        effectiveFrom: '2024-07-01',
        baseRateBps: 600,
        categoryRates: [{ category: 'books', rateBps: 900 }],
        tiers: [{ thresholdMinor: 1_000_000, rateBps: 800 }],
        tierPeriod: 'month',
        currency: 'EUR',
        setAt: at(9),
      },
    ],
    goals: {
      'month:2024-06-01': { period: 'month', periodStart: '2024-06-01', revenueMinor: 900_000, currency: 'EUR', deals: null, calls: null, setAt: at(3) },
      'quarter:2024-07-01': { period: 'quarter', periodStart: '2024-07-01', revenueMinor: null, currency: null, deals: null, calls: 100, setAt: at(2) },
    },
    tasks: {
      'task-1': {
        taskId: 'task-1',
        kind: 'call',
        title: 'Call about renewal',
        customerId: 'cust-1',
        dueOn: '2024-05-15',
        origin: null,
        reassignedFromRepId: null,
        assignedAt: at(3),
        status: 'completed',
        outcome: 'renewed',
        completedAt: at(4),
        reassignedToRepId: null,
        reassignedAt: null,
      },
      'task-2': {
        taskId: 'task-2',
        kind: 'email',
        title: 'Call about renewal',
        customerId: null,
        dueOn: '2024-05-15',
        origin: 'contract-follow-up',
        reassignedFromRepId: 'carl',
        assignedAt: at(3),
        status: 'open',
        outcome: null,
        completedAt: null,
        reassignedToRepId: null,
        reassignedAt: null,
      },
      'task-3': {
        taskId: 'task-3',
        kind: 'call',
        title: 'Call about renewal',
        customerId: 'cust-1',
        dueOn: '2024-05-15',
        origin: null,
        reassignedFromRepId: null,
        assignedAt: at(3),
        status: 'reassigned',
        outcome: null,
        completedAt: null,
        reassignedToRepId: 'bob',
        reassignedAt: at(5),
      },
    },
  };

  it('folds a full history into the expected state', () => {
    expect(fold(repDecider, history)).toStrictEqual(expected);
  });

  it('gives a JSON state that survives a round trip, without changing the initial state', () => {
    const before = structuredClone(initialRepState);
    const state = fold(repDecider, history);
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
    expect(initialRepState).toStrictEqual(before);
    expect(Object.isFrozen(initialRepState.tasks)).toBe(true);
  });

  it('skips event types it does not know', () => {
    const state = fold(repDecider, [onboarded]);
    expect(repDecider.evolve(state, { type: 'FromTheFuture', data: {} } as unknown as RepEvent)).toBe(state);
    expect(toRepEvent({ type: 'FromTheFuture', data: {} })).toBeUndefined();
    expect(toRepEvent({ type: 'TaskCompleted', data: { taskId: 't' } })).toStrictEqual({ type: 'TaskCompleted', data: { taskId: 't' } });
  });
});

// ---- schema and streams -------------------------------------------------------------------------

describe('rep event schema', () => {
  it('has a schema version for every event type, merged into the domain-wide schema', () => {
    expect(new Set(REP_EVENT_TYPES).size).toBe(7);
    for (const type of REP_EVENT_TYPES) expect(schemaVersionOf(type)).toBe(REP_EVENT_SCHEMA_VERSION[type]);
    expect(EVENT_SCHEMA_VERSION).toMatchObject(REP_EVENT_SCHEMA_VERSION);
  });

  it("protects what a task says about its customer with the customer's key, and nothing of the rep's own", () => {
    for (const type of REP_EVENT_TYPES) expect(Object.hasOwn(domainPersonalData, type)).toBe(true);
    expect(domainPersonalData.RepOnboarded.personal).toEqual([]);
    expect(domainPersonalData.TaskAssigned.personal).toEqual(['title']);
    expect(domainPersonalData.TaskCompleted.keyStream?.({ taskId: 't', customerId: 'c' })).toBe('customer-c');
  });

  it('names streams rep-<id>', () => {
    expect(repStream('42')).toBe('rep-42');
    expect(repIdOfStream('rep-42')).toBe('42');
    expect(repIdOfStream('rep-')).toBeUndefined();
    expect(repIdOfStream('customer-42')).toBeUndefined();
    expect(() => repStream('')).toThrow();
  });
});
