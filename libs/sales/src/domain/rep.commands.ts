import type { CategoryRate, CommissionTier, GoalPeriod, TaskKind } from './rep.events.js';

/**
 * Commands to a sales rep's stream. As with customers, the caller chooses ids and timestamps (ISO
 * 8601 with a zone), so the same command always decides the same events; optional properties may
 * be omitted, `undefined` or `null` (all mean "not given").
 */
interface RepCommandBase {
  repId: string;
}

export interface OnboardRep extends RepCommandBase {
  type: 'OnboardRep';
  name: string;
  email: string;
  team: string;
  region: string;
  /** Calendar date. */
  startDate: string;
  onboardedAt: string;
}

/** Final: a deactivated rep takes no further command. */
export interface DeactivateRep extends RepCommandBase {
  type: 'DeactivateRep';
  reason?: string;
  deactivatedAt: string;
}

export interface SetCommissionPlan extends RepCommandBase {
  type: 'SetCommissionPlan';
  planId: string;
  /** Calendar date, after the latest plan's and not before the date of `setAt`. */
  effectiveFrom: string;
  baseRateBps: number;
  categoryRates?: CategoryRate[];
  tiers?: CommissionTier[];
  /** Required with tiers, refused without. */
  tierPeriod?: GoalPeriod;
  /** Required with tiers, refused without. */
  currency?: string;
  setAt: string;
}

export interface SetGoal extends RepCommandBase {
  type: 'SetGoal';
  period: GoalPeriod;
  periodStart: string;
  revenueMinor?: number;
  /** Required with revenueMinor, refused without. */
  currency?: string;
  deals?: number;
  calls?: number;
  setAt: string;
}

export interface AssignTask extends RepCommandBase {
  type: 'AssignTask';
  taskId: string;
  kind: TaskKind;
  title: string;
  customerId?: string;
  dueOn: string;
  origin?: string;
  /** Set only by a reassignment (see {@link ReassignTask}), never by a caller of the API. */
  reassignedFromRepId?: string;
  assignedAt: string;
}

export interface CompleteTask extends RepCommandBase {
  type: 'CompleteTask';
  taskId: string;
  outcome?: string;
  completedAt: string;
}

/**
 * Moves an open task to another active rep. Spans two streams: the target's `AssignTask` (built by
 * `reassignedTask`) is appended first, then this command's `TaskReassigned` on the source.
 */
export interface ReassignTask extends RepCommandBase {
  type: 'ReassignTask';
  taskId: string;
  toRepId: string;
  reason?: string;
  reassignedAt: string;
}

export type RepCommand = OnboardRep | DeactivateRep | SetCommissionPlan | SetGoal | AssignTask | CompleteTask | ReassignTask;

export type RepCommandType = RepCommand['type'];
export type RepCommandOf<T extends RepCommandType> = Extract<RepCommand, { type: T }>;
