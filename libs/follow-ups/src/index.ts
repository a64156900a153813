export { type DueOutcome } from './due-job.js';
export {
  FOLLOW_UP_QUEUE,
  contractEndsAt,
  followUpJobId,
  followUpJobOptions,
  followUpTiming,
  leadDaysFor,
  type FollowUpJob,
  type FollowUpTiming,
} from './follow-up.jobs.js';
export { FOLLOW_UP_ACTOR, runFollowUp } from './follow-up.processor.js';
export { followUpScheduler, type FollowUpContractsTable, type FollowUpScheduleState, type FollowUpSchedulerTables } from './follow-up.scheduler.js';
export { REPURCHASE_QUEUE, repurchaseDueAt, repurchaseJobId, type RepurchaseJob } from './repurchase.jobs.js';
export { REPURCHASE_ACTOR, runRepurchaseReminder } from './repurchase.processor.js';
export { repurchaseScheduler, type RepurchaseCustomersTable, type RepurchaseScheduleState, type RepurchaseSchedulerTables } from './repurchase.scheduler.js';
export { FOLLOW_UP_TIMING } from './follow-ups.service.js';
export { FollowUps } from './follow-ups.service.js';
export * from '#follow-ups/domain';
