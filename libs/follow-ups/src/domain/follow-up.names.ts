/**
 * The names read models match follow-ups by: the origin a job's task carries on the owner's stream,
 * and the checkpoint name of each scheduler (its progress is shown beside the read model's own).
 */

/** Origin of a task a contract follow-up gives the customer's owner. */
export const FOLLOW_UP_ORIGIN = 'contract-follow-up';

/** Origin of a task a repurchase reminder gives the customer's owner. */
export const REPURCHASE_ORIGIN = 'repurchase-reminder';

/** Checkpoint name of the contract follow-up scheduler. */
export const FOLLOW_UP_SCHEDULER = 'follow-up-scheduler';

/** Checkpoint name of the repurchase reminder scheduler. */
export const REPURCHASE_SCHEDULER = 'repurchase-scheduler';
