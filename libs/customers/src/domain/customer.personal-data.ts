import { declarePersonalData } from '#domain';
import type { CustomerEvent } from './customer.events.js';

/**
 * Everything that can describe the person: contact and position fields, demographics, tags,
 * URLs and all free text. A visitor id stays readable: it is the name of the anonymous visitor's
 * stream (a stream's name cannot be encrypted), whose own data is erased with the customer's.
 * Field by field rather than whole objects, so a reader still finds `contact`, `tags` and
 * `demographics` as objects and arrays after an erasure (their values then read `{"$erased": true}`).
 */
const PROFILE = [
  'contact.name',
  'contact.email',
  'contact.phone',
  'contact.address',
  'company.name',
  'company.department',
  'company.personInCharge',
  'company.title',
  'demographics.birthYear',
  'demographics.ageBand',
  'demographics.gender',
  'demographics.region',
  'demographics.industry',
  'demographics.companySize',
  'tags[]',
] as const;

/** Where the person came from: the advertiser's own ids, not the person's. (UTM parameters are part of the URL they followed, personal.) */
const ATTRIBUTION = ['campaignId', 'adId', 'affiliateSiteId'] as const;

/**
 * The personal-data policy of every customer event type: personal fields are encrypted under the
 * customer's data key, so erasing the key makes them unreadable while the events stay.
 */
export const customerPersonalData = declarePersonalData<CustomerEvent>()({
  CustomerRegistered: {
    personal: PROFILE,
    notPersonal: ['customerId', 'stage', 'source', 'ownerRepId', 'visitorId', ...ATTRIBUTION, 'registeredAt'],
    erasedWith: { field: 'visitorId', stream: 'visitor' },
  },
  ProfileUpdated: { personal: PROFILE, notPersonal: ['updatedAt'] },
  OwnerAssigned: { personal: [], notPersonal: ['repId', 'previousRepId', 'assignedAt'] },
  LeadConverted: { personal: [], notPersonal: ['fromStage', 'convertedAt'] },
  CallLogged: { personal: ['summary'], notPersonal: ['callId', 'direction', 'outcome', 'repId', 'occurredAt'] },
  EmailLogged: { personal: ['subject', 'summary'], notPersonal: ['emailId', 'direction', 'repId', 'occurredAt'] },
  MeetingLogged: { personal: ['location', 'summary'], notPersonal: ['meetingId', 'kind', 'repId', 'occurredAt'] },
  LeadClickRecorded: { personal: ['url', 'utm'], notPersonal: ['clickId', 'kind', ...ATTRIBUTION, 'occurredAt'] },
  SiteVisitRecorded: { personal: ['url', 'referrer'], notPersonal: ['visitId', ...ATTRIBUTION, 'occurredAt'] },
  FormSubmissionRecorded: {
    personal: ['fields', 'utm'],
    notPersonal: ['submissionId', 'formId', 'visitorId', ...ATTRIBUTION, 'occurredAt'],
    erasedWith: { field: 'visitorId', stream: 'visitor' },
  },
  PurchaseRecorded: {
    personal: ['specialInstructions'],
    notPersonal: ['orderId', 'lines[].productSku', 'lines[].currency', 'lines[].category', 'currency', 'repId', 'purchasedAt'],
  },
  RefundRecorded: { personal: ['reason'], notPersonal: ['refundId', 'orderId', 'currency', 'refundedAt'] },
  ContractRecorded: {
    personal: ['vendorName', 'title', 'terms'],
    notPersonal: ['contractId', 'kind', 'startsOn', 'endsOn', 'currency', 'recordedAt'],
  },
  ContractRevised: {
    personal: ['changes.terms'],
    notPersonal: ['contractId', 'changes.startsOn', 'changes.endsOn', 'changes.currency', 'revisedAt'],
  },
  ContractTerminated: { personal: ['reason'], notPersonal: ['contractId', 'terminatedOn', 'terminatedAt'] },
  FollowUpDue: { personal: [], notPersonal: ['contractId', 'endsOn', 'dueOn', 'repId', 'taskId', 'dueAt'] },
  RepurchaseReminderDue: { personal: [], notPersonal: ['expectedOn', 'lastPurchaseOn', 'repId', 'taskId', 'dueAt'] },
  NoteAdded: { personal: ['text'], notPersonal: ['noteId', 'authorRepId', 'addedAt'] },
  DocumentAttached: {
    personal: ['fileName', 'storageRef', 'contentType'],
    notPersonal: ['documentId', 'kind', 'contractId', 'attachedAt'],
  },
  // An operator may write the person's name into the reason.
  CustomerErased: { personal: ['reason'], notPersonal: ['erasedAt'] },
});
