import { declarePersonalData } from '#domain';
import type { RepEvent } from './rep.events.js';

/**
 * What a rep's stream holds about customers is personal to that customer and protected by their
 * key (`subjectCustomerId`), so erasing the customer blanks a task's title, outcome and reason in
 * the rep's history too. The rep's own particulars (name, work e-mail, team, region) are employee
 * records: the customer erasure this policy serves does not concern them.
 */
export const repPersonalData = declarePersonalData<RepEvent>()({
  RepOnboarded: { personal: [], notPersonal: ['name', 'email', 'team', 'region', 'startDate', 'onboardedAt'] },
  RepDeactivated: { personal: [], notPersonal: ['reason', 'deactivatedAt'] },
  CommissionPlanSet: { personal: [], notPersonal: ['planId', 'effectiveFrom', 'categoryRates[].category', 'tierPeriod', 'currency', 'setAt'] },
  GoalSet: { personal: [], notPersonal: ['period', 'periodStart', 'currency', 'setAt'] },
  TaskAssigned: {
    personal: ['title'],
    notPersonal: ['taskId', 'kind', 'customerId', 'dueOn', 'reassignedFromRepId', 'origin', 'assignedAt'],
    subjectCustomerId: 'customerId',
  },
  TaskCompleted: { personal: ['outcome'], notPersonal: ['taskId', 'customerId', 'completedAt'], subjectCustomerId: 'customerId' },
  TaskReassigned: { personal: ['reason'], notPersonal: ['taskId', 'customerId', 'toRepId', 'reassignedAt'], subjectCustomerId: 'customerId' },
});
