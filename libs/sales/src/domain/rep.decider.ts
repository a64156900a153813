import { calendarDate, type Decider, emailAddress, integer, integerInRange, NotFoundError, objectList, oneOf, optionalCurrencyCode, optionalInteger, optionalOneOf, optionalText, optionalTrimmed, ownValue, requiredText, requiredTrimmed, stripUndefined, timestamp, violation } from '#domain';
import type { AssignTask, CompleteTask, DeactivateRep, OnboardRep, ReassignTask, RepCommand, SetCommissionPlan, SetGoal } from './rep.commands.js';
import { GOAL_PERIODS, TASK_KINDS, type CategoryRate, type CommissionTier, type GoalPeriod, type RepEvent, type RepEventOf } from './rep.events.js';
import { goalKey, initialRepState, type RepState, type TaskState } from './rep.state.js';

/** Rates are basis points: 10,000 is all of the revenue. */
const MAX_RATE_BPS = 10_000;

/**
 * The sales-rep context's write model. `decide` enforces the rules and throws
 * {@link NotFoundError} (`rep_not_found`, `task_not_found`) or RuleViolationError (reasons below,
 * with the command field at fault); `evolve` trusts the events it folds.
 */
export const repDecider: Decider<RepCommand, RepEvent, RepState> = {
  initialState: initialRepState,
  decide: decideRep,
  evolve: evolveRep,
};

// ================================================================================================
// decide
// ================================================================================================

export function decideRep(command: RepCommand, state: RepState): RepEvent[] {
  if (command.type === 'OnboardRep') return [stripUndefined(onboard(command, state))];
  requireActive(command, state);
  // Every event leaves without undefined properties, whatever the branch built.
  return [stripUndefined(decideForActive(command, state))];
}

/**
 * The `AssignTask` a reassignment appends to the target rep's stream, decided on the source rep's
 * state: it refuses whatever deciding the `ReassignTask` on the source would, so nothing reaches
 * the target for a reassignment the source will not record. The target's own rules (onboarded,
 * active, task id free) apply when the assignment is decided on its stream.
 */
export function reassignedTask(command: ReassignTask, source: RepState): AssignTask {
  requireActive(command, source);
  const { task, event } = reassignTask(command, source);
  return {
    type: 'AssignTask',
    repId: event.data.toRepId,
    taskId: task.taskId,
    kind: task.kind,
    title: readableTitle(task.title),
    customerId: task.customerId ?? undefined,
    dueOn: task.dueOn,
    origin: task.origin ?? undefined,
    reassignedFromRepId: command.repId,
    assignedAt: event.data.reassignedAt,
  };
}

/**
 * An erased customer's task title reads `{"$erased": true}`. The reassignment still needs a title;
 * it is the customer's data, so the event store stores it as erased too.
 */
function readableTitle(title: unknown): string {
  return typeof title === 'string' ? title : 'Task about an erased customer';
}

function requireActive(command: RepCommand, state: RepState): void {
  if (!state.onboarded) throw new NotFoundError('rep_not_found', `rep ${command.repId} is not onboarded`, 'repId');
  if (state.deactivated) violation('rep_deactivated', `rep ${command.repId} was deactivated`);
}

function decideForActive(command: Exclude<RepCommand, OnboardRep>, state: RepState): RepEvent {
  switch (command.type) {
    case 'DeactivateRep':
      return deactivate(command);
    case 'SetCommissionPlan':
      return setCommissionPlan(command, state);
    case 'SetGoal':
      return setGoal(command);
    case 'AssignTask':
      return assignTask(command, state);
    case 'CompleteTask':
      return completeTask(command, state);
    case 'ReassignTask':
      return reassignTask(command, state).event;
    default: {
      const unknown: never = command;
      throw new Error(`unknown rep command ${(unknown as { type: string }).type}`);
    }
  }
}

// ---- the rep ------------------------------------------------------------------------------------

function onboard(command: OnboardRep, state: RepState): RepEvent {
  if (state.deactivated) violation('rep_deactivated', `rep ${command.repId} was deactivated`);
  if (state.onboarded) violation('rep_already_onboarded', `rep ${command.repId} is already onboarded`, 'repId');
  return {
    type: 'RepOnboarded',
    data: {
      name: requiredTrimmed(command.name, 'name', 'name_required'),
      email: emailAddress(command.email, 'email'),
      team: requiredTrimmed(command.team, 'team'),
      region: requiredTrimmed(command.region, 'region'),
      startDate: calendarDate(command.startDate, 'startDate'),
      onboardedAt: timestamp(command.onboardedAt, 'onboardedAt'),
    },
  };
}

function deactivate(command: DeactivateRep): RepEvent {
  return {
    type: 'RepDeactivated',
    data: { reason: optionalText(command.reason, 'reason'), deactivatedAt: timestamp(command.deactivatedAt, 'deactivatedAt') },
  };
}

// ---- commission plans -------------------------------------------------------------------------

function setCommissionPlan(command: SetCommissionPlan, state: RepState): RepEvent {
  const planId = requiredText(command.planId, 'planId');
  if (state.plans.some((plan) => plan.planId === planId)) violation('plan_already_set', `plan ${planId} is already set`, 'planId');
  const setAt = timestamp(command.setAt, 'setAt');
  const effectiveFrom = calendarDate(command.effectiveFrom, 'effectiveFrom');
  const latest = state.plans.at(-1);
  if (latest !== undefined && effectiveFrom <= latest.effectiveFrom) {
    violation('plan_not_after_latest', `effectiveFrom must be after ${latest.effectiveFrom}, when plan ${latest.planId} took effect`, 'effectiveFrom');
  }
  // Commissions already earned stay as they were: a plan takes effect today at the earliest.
  const today = setAt.slice(0, 10);
  if (effectiveFrom < today) violation('plan_in_past', `effectiveFrom ${effectiveFrom} is before ${today}: plans never change the past`, 'effectiveFrom');

  const tiers = commissionTiers(command.tiers);
  const tierPeriod = optionalOneOf(command.tierPeriod, GOAL_PERIODS, 'tierPeriod');
  const currency = optionalCurrencyCode(command.currency, 'currency');
  if (tiers.length > 0) {
    if (tierPeriod === undefined) violation('tier_period_required', 'tiers need the tierPeriod their thresholds count over', 'tierPeriod');
    if (currency === undefined) violation('currency_required', 'tiers need the currency of their thresholds', 'currency');
  } else {
    if (tierPeriod !== undefined) violation('tier_period_without_tiers', 'tierPeriod is only for a plan with tiers', 'tierPeriod');
    if (currency !== undefined) violation('currency_without_tiers', 'currency is only for a plan with tiers', 'currency');
  }
  return {
    type: 'CommissionPlanSet',
    data: {
      planId,
      effectiveFrom,
      baseRateBps: rateBps(command.baseRateBps, 'baseRateBps'),
      categoryRates: categoryRates(command.categoryRates),
      tiers,
      tierPeriod,
      currency,
      setAt,
    },
  };
}

function rateBps(value: unknown, field: string): number {
  return integerInRange(value, field, 0, MAX_RATE_BPS, 'rate_out_of_range');
}

function categoryRates(value: unknown): CategoryRate[] {
  const rates = objectList(value, 'categoryRates', (input, field) => ({
    category: requiredTrimmed(input.category, `${field}.category`),
    rateBps: rateBps(input.rateBps, `${field}.rateBps`),
  }));
  rates.forEach(({ category }, i) => {
    if (rates.findIndex((other) => other.category === category) < i) {
      violation('duplicate_category', `category ${category} has more than one rate`, `categoryRates[${i}].category`);
    }
  });
  return rates;
}

function commissionTiers(value: unknown): CommissionTier[] {
  const tiers = objectList(value, 'tiers', (input, field) => ({
    thresholdMinor: integer(input.thresholdMinor, `${field}.thresholdMinor`, 1, 'threshold_not_positive'),
    rateBps: rateBps(input.rateBps, `${field}.rateBps`),
  }));
  tiers.forEach((tier, i) => {
    if (i > 0 && tier.thresholdMinor <= tiers[i - 1].thresholdMinor) {
      violation('tiers_not_ascending', `tier thresholds must ascend: ${tier.thresholdMinor} follows ${tiers[i - 1].thresholdMinor}`, `tiers[${i}].thresholdMinor`);
    }
  });
  return tiers;
}

// ---- goals --------------------------------------------------------------------------------------

function setGoal(command: SetGoal): RepEvent {
  const period = oneOf(command.period, GOAL_PERIODS, 'period');
  const periodStart = calendarDate(command.periodStart, 'periodStart');
  if (!startsPeriod(period, periodStart)) violation('invalid_period_start', `periodStart ${periodStart} is not the first day of a ${period}`, 'periodStart');
  const revenueMinor = optionalInteger(command.revenueMinor, 'revenueMinor', 0, 'target_negative');
  const currency = optionalCurrencyCode(command.currency, 'currency');
  const deals = optionalInteger(command.deals, 'deals', 0, 'target_negative');
  const calls = optionalInteger(command.calls, 'calls', 0, 'target_negative');
  if (revenueMinor === undefined && deals === undefined && calls === undefined) {
    violation('goal_without_target', 'a goal needs a revenueMinor, deals or calls target');
  }
  if (revenueMinor !== undefined && currency === undefined) violation('currency_required', 'a revenue target needs a currency', 'currency');
  if (revenueMinor === undefined && currency !== undefined) violation('currency_without_revenue', 'currency is only for a revenue target', 'currency');
  return { type: 'GoalSet', data: { period, periodStart, revenueMinor, currency, deals, calls, setAt: timestamp(command.setAt, 'setAt') } };
}

/** Whether a calendar date is the first day of a month, a quarter (January, April, July, October) or a year. */
function startsPeriod(period: GoalPeriod, date: string): boolean {
  const month = Number(date.slice(5, 7));
  if (date.slice(8) !== '01') return false;
  switch (period) {
    case 'month':
      return true;
    case 'quarter':
      return month % 3 === 1;
    case 'year':
      return month === 1;
  }
}

// ---- tasks --------------------------------------------------------------------------------------

function assignTask(command: AssignTask, state: RepState): RepEvent {
  const taskId = requiredText(command.taskId, 'taskId');
  if (ownValue(state.tasks, taskId) !== undefined) violation('task_already_assigned', `task ${taskId} was assigned to rep ${command.repId} before`, 'taskId');
  return {
    type: 'TaskAssigned',
    data: {
      taskId,
      kind: oneOf(command.kind, TASK_KINDS, 'kind'),
      title: requiredTrimmed(command.title, 'title'),
      customerId: optionalText(command.customerId, 'customerId'),
      dueOn: calendarDate(command.dueOn, 'dueOn'),
      reassignedFromRepId: optionalText(command.reassignedFromRepId, 'reassignedFromRepId'),
      origin: optionalTrimmed(command.origin, 'origin'),
      assignedAt: timestamp(command.assignedAt, 'assignedAt'),
    },
  };
}

/** A task this rep holds and has not completed; 404 for a task id it never had. */
function openTask(taskId: unknown, state: RepState): TaskState {
  const id = requiredText(taskId, 'taskId');
  const task = ownValue(state.tasks, id);
  if (task === undefined) throw new NotFoundError('task_not_found', `no task ${id} for this rep`, 'taskId');
  if (task.status === 'completed') violation('task_completed', `task ${id} was completed`, 'taskId');
  if (task.status === 'reassigned') violation('task_reassigned', `task ${id} was reassigned to rep ${task.reassignedToRepId}`, 'taskId');
  return task;
}

function completeTask(command: CompleteTask, state: RepState): RepEvent {
  const task = openTask(command.taskId, state);
  return {
    type: 'TaskCompleted',
    data: {
      taskId: task.taskId,
      customerId: task.customerId ?? undefined,
      outcome: optionalText(command.outcome, 'outcome'),
      completedAt: timestamp(command.completedAt, 'completedAt'),
    },
  };
}

function reassignTask(command: ReassignTask, state: RepState): { task: TaskState; event: RepEventOf<'TaskReassigned'> } {
  const task = openTask(command.taskId, state);
  const toRepId = requiredText(command.toRepId, 'toRepId');
  if (toRepId === command.repId) violation('reassign_to_self', `task ${task.taskId} is rep ${toRepId}'s already`, 'toRepId');
  return {
    task,
    event: {
      type: 'TaskReassigned',
      data: {
        taskId: task.taskId,
        customerId: task.customerId ?? undefined,
        toRepId,
        reason: optionalText(command.reason, 'reason'),
        reassignedAt: timestamp(command.reassignedAt, 'reassignedAt'),
      },
    },
  };
}

// ================================================================================================
// evolve
// ================================================================================================

export function evolveRep(state: RepState, event: RepEvent): RepState {
  switch (event.type) {
    case 'RepOnboarded': {
      const { data } = event;
      return {
        ...state,
        onboarded: true,
        name: data.name,
        email: data.email,
        team: data.team,
        region: data.region,
        startDate: data.startDate,
        onboardedAt: data.onboardedAt,
      };
    }
    case 'RepDeactivated':
      return { ...state, deactivated: true, deactivatedAt: event.data.deactivatedAt, deactivationReason: event.data.reason ?? null };
    case 'CommissionPlanSet': {
      const { data } = event;
      const plan = {
        planId: data.planId,
        effectiveFrom: data.effectiveFrom,
        baseRateBps: data.baseRateBps,
        categoryRates: data.categoryRates.map((rate) => ({ ...rate })),
        tiers: data.tiers.map((tier) => ({ ...tier })),
        tierPeriod: data.tierPeriod ?? null,
        currency: data.currency ?? null,
        setAt: data.setAt,
      };
      return { ...state, plans: [...state.plans, plan] };
    }
    case 'GoalSet': {
      const { data } = event;
      const goal = {
        period: data.period,
        periodStart: data.periodStart,
        revenueMinor: data.revenueMinor ?? null,
        currency: data.currency ?? null,
        deals: data.deals ?? null,
        calls: data.calls ?? null,
        setAt: data.setAt,
      };
      return { ...state, goals: { ...state.goals, [goalKey(data.period, data.periodStart)]: goal } };
    }
    case 'TaskAssigned': {
      const { data } = event;
      const task: TaskState = {
        taskId: data.taskId,
        kind: data.kind,
        title: data.title,
        customerId: data.customerId ?? null,
        dueOn: data.dueOn,
        origin: data.origin ?? null,
        reassignedFromRepId: data.reassignedFromRepId ?? null,
        assignedAt: data.assignedAt,
        status: 'open',
        outcome: null,
        completedAt: null,
        reassignedToRepId: null,
        reassignedAt: null,
      };
      return { ...state, tasks: { ...state.tasks, [data.taskId]: task } };
    }
    case 'TaskCompleted': {
      const { data } = event;
      return updateTask(state, data.taskId, (task) => ({ ...task, status: 'completed', outcome: data.outcome ?? null, completedAt: data.completedAt }));
    }
    case 'TaskReassigned': {
      const { data } = event;
      return updateTask(state, data.taskId, (task) => ({ ...task, status: 'reassigned', reassignedToRepId: data.toRepId, reassignedAt: data.reassignedAt }));
    }
    default:
      // An event type this version does not know (written by a newer one): nothing to fold.
      return state;
  }
}

function updateTask(state: RepState, taskId: string, change: (task: TaskState) => TaskState): RepState {
  const task = ownValue(state.tasks, taskId);
  return task === undefined ? state : { ...state, tasks: { ...state.tasks, [taskId]: change(task) } };
}
