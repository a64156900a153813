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
export { followUpScheduler } from './follow-up.scheduler.js';
export { REPURCHASE_QUEUE, repurchaseJobId, type RepurchaseJob } from './repurchase.jobs.js';
export { repurchaseScheduler } from './repurchase.scheduler.js';
export { FOLLOW_UP_TIMING } from './follow-ups.service.js';
export { FollowUps } from './follow-ups.service.js';
export * from '#follow-ups/domain';
