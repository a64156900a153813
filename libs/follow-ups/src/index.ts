export {
  FOLLOW_UP_ORIGIN,
  FOLLOW_UP_QUEUE,
  contractEndsAt,
  followUpJobId,
  followUpJobOptions,
  followUpTiming,
  leadDaysFor,
  queuePrefix,
  type FollowUpJob,
  type FollowUpTiming,
} from './follow-up.jobs.js';
export { FOLLOW_UP_ACTOR, runFollowUp, type FollowUpOutcome } from './follow-up.processor.js';
export { FOLLOW_UP_SCHEDULER, followUpScheduler, type FollowUpContractsTable, type FollowUpScheduleState, type FollowUpSchedulerTables } from './follow-up.scheduler.js';
