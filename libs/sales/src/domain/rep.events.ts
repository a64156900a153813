/**
 * Events of a sales rep's stream (`rep-<id>`): the rep, their commission plans, goals and tasks.
 * Timestamps are ISO 8601 with a zone; calendar dates are `YYYY-MM-DD`; money is integer minor
 * units with an ISO 4217 currency; rates are integer basis points (750 = 7.5 %).
 */

export const TASK_KINDS = ['call', 'visit', 'send_proposal', 'email', 'meeting', 'follow_up', 'other'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const GOAL_PERIODS = ['month', 'quarter', 'year'] as const;
export type GoalPeriod = (typeof GOAL_PERIODS)[number];

export interface RepOnboardedData {
  name: string;
  email: string;
  team: string;
  region: string;
  /** Calendar date. */
  startDate: string;
  onboardedAt: string;
}

export interface RepDeactivatedData {
  reason?: string;
  deactivatedAt: string;
}

export interface CategoryRate {
  category: string;
  rateBps: number;
}

/** Above `thresholdMinor` of gross revenue within one tier period, sales earn `rateBps` instead. */
export interface CommissionTier {
  thresholdMinor: number;
  rateBps: number;
}

/**
 * A commission plan in force from `effectiveFrom` (a calendar date, inclusive) until the next
 * plan's. Plans are never edited: a new plan, with a later date, replaces the old one from then on.
 */
export interface CommissionPlanSetData {
  planId: string;
  effectiveFrom: string;
  /** The rate of every sale line whose category has no rate of its own. */
  baseRateBps: number;
  /** Distinct categories. */
  categoryRates: CategoryRate[];
  /** Ascending by threshold; empty for a plan without tiers. */
  tiers: CommissionTier[];
  /** The period within which revenue counts towards a tier's threshold (present with tiers). */
  tierPeriod?: GoalPeriod;
  /** The currency of the thresholds (present with tiers); sales in another currency earn no tier rate. */
  currency?: string;
  setAt: string;
}

/** The goal of one period, replacing any earlier goal of the same period. At least one target. */
export interface GoalSetData {
  period: GoalPeriod;
  /** First day of the period (calendar date): a month's 1st, a quarter's first month's 1st, 1 January. */
  periodStart: string;
  revenueMinor?: number;
  /** Present when revenueMinor is. */
  currency?: string;
  deals?: number;
  calls?: number;
  setAt: string;
}

export interface TaskAssignedData {
  taskId: string;
  kind: TaskKind;
  title: string;
  customerId?: string;
  /** Calendar date. */
  dueOn: string;
  /** Set when the task came from another rep. */
  reassignedFromRepId?: string;
  /** What caused it when not a person, e.g. `contract-follow-up`. */
  origin?: string;
  assignedAt: string;
}

export interface TaskCompletedData {
  taskId: string;
  /** The task's customer (whose data key protects the outcome): the task's, repeated. */
  customerId?: string;
  outcome?: string;
  completedAt: string;
}

/** The task left this rep for `toRepId` (whose stream records a `TaskAssigned`). */
export interface TaskReassignedData {
  taskId: string;
  /** The task's customer (whose data key protects the reason): the task's, repeated. */
  customerId?: string;
  toRepId: string;
  reason?: string;
  reassignedAt: string;
}

export type RepEvent =
  | { type: 'RepOnboarded'; data: RepOnboardedData }
  | { type: 'RepDeactivated'; data: RepDeactivatedData }
  | { type: 'CommissionPlanSet'; data: CommissionPlanSetData }
  | { type: 'GoalSet'; data: GoalSetData }
  | { type: 'TaskAssigned'; data: TaskAssignedData }
  | { type: 'TaskCompleted'; data: TaskCompletedData }
  | { type: 'TaskReassigned'; data: TaskReassignedData };

export type RepEventType = RepEvent['type'];
export type RepEventOf<T extends RepEventType> = Extract<RepEvent, { type: T }>;

export const REP_EVENT_SCHEMA_VERSION = {
  RepOnboarded: 1,
  RepDeactivated: 1,
  CommissionPlanSet: 1,
  GoalSet: 1,
  TaskAssigned: 1,
  TaskCompleted: 1,
  TaskReassigned: 1,
} as const satisfies Record<RepEventType, number>;

export const REP_EVENT_TYPES = Object.keys(REP_EVENT_SCHEMA_VERSION) as readonly RepEventType[];

export function isRepEventType(type: string): type is RepEventType {
  return Object.hasOwn(REP_EVENT_SCHEMA_VERSION, type);
}

/** A stored event as a {@link RepEvent}, or `undefined` for a type this code does not know. */
export function toRepEvent(event: { readonly type: string; readonly data: object }): RepEvent | undefined {
  return isRepEventType(event.type) ? ({ type: event.type, data: event.data } as RepEvent) : undefined;
}
