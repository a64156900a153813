import { deepFreeze } from '#domain';
import type { CategoryRate, CommissionTier, GoalPeriod, TaskKind } from './rep.events.js';

/**
 * What deciding on a rep's stream needs, and what a "state as of" view shows. Plain JSON (no Map,
 * Set, Date or undefined); records keyed by id are read with own-property checks.
 */
export interface RepState {
  onboarded: boolean;
  deactivated: boolean;
  name: string | null;
  email: string | null;
  team: string | null;
  region: string | null;
  startDate: string | null;
  onboardedAt: string | null;
  deactivatedAt: string | null;
  deactivationReason: string | null;
  /** In the order set, which is ascending `effectiveFrom`: the last is the latest. */
  plans: CommissionPlanState[];
  /** The current goal of each period, keyed by {@link goalKey}. */
  goals: Record<string, GoalState>;
  /** Every task this rep was ever assigned, by task id. */
  tasks: Record<string, TaskState>;
}

export interface CommissionPlanState {
  planId: string;
  effectiveFrom: string;
  baseRateBps: number;
  categoryRates: CategoryRate[];
  tiers: CommissionTier[];
  tierPeriod: GoalPeriod | null;
  currency: string | null;
  setAt: string;
}

export interface GoalState {
  period: GoalPeriod;
  periodStart: string;
  revenueMinor: number | null;
  currency: string | null;
  deals: number | null;
  calls: number | null;
  setAt: string;
}

export const TASK_STATUSES = ['open', 'completed', 'reassigned'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskState {
  taskId: string;
  kind: TaskKind;
  title: string;
  customerId: string | null;
  dueOn: string;
  origin: string | null;
  reassignedFromRepId: string | null;
  assignedAt: string;
  status: TaskStatus;
  outcome: string | null;
  completedAt: string | null;
  reassignedToRepId: string | null;
  reassignedAt: string | null;
}

/** The key of a period's goal in {@link RepState.goals}: `month:2024-05-01`. */
export function goalKey(period: GoalPeriod, periodStart: string): string {
  return `${period}:${periodStart}`;
}

/** Frozen (deeply): evolve never changes a state, it returns a new one. */
export const initialRepState: RepState = deepFreeze({
  onboarded: false,
  deactivated: false,
  name: null,
  email: null,
  team: null,
  region: null,
  startDate: null,
  onboardedAt: null,
  deactivatedAt: null,
  deactivationReason: null,
  plans: [],
  goals: {},
  tasks: {},
});
