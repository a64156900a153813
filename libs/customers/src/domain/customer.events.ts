import type { ClickData, Utm } from '#domain';
// The click vocabulary is the kernel's (visitors click too); customers' events name it as before.
export { CLICK_KINDS, UTM_FIELDS, type ClickKind, type Utm } from '#domain';
/**
 * Events of a customer stream (`customer-<id>`): a lead, prospect or customer and every interaction
 * with them. Event data is JSON: timestamps are ISO 8601 strings in UTC (`2024-05-01T09:30:00.000Z`),
 * calendar dates are `YYYY-MM-DD`, money is an integer in minor units with an ISO 4217 currency,
 * optional properties are omitted (never `undefined`), and `null` in a change set means "cleared".
 *
 * Personal fields (see customer.personal-data.ts) are encrypted in the log; once a customer's key is
 * erased they read back as `{ "$erased": true }` instead of their value, so code reading these
 * events must not assume those fields are strings.
 */

export const CUSTOMER_STAGES = ['lead', 'prospect', 'customer'] as const;
export type CustomerStage = (typeof CUSTOMER_STAGES)[number];

export const CUSTOMER_SOURCES = ['manual', 'web_form', 'import', 'api'] as const;
export type CustomerSource = (typeof CUSTOMER_SOURCES)[number];

export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1000+'] as const;
export type CompanySize = (typeof COMPANY_SIZES)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const CALL_OUTCOMES = [
  'connected',
  'no_answer',
  'voicemail',
  'busy',
  'wrong_number',
  'follow_up_requested',
  'not_interested',
  'interested',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const MEETING_KINDS = ['meeting', 'visit'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];


export const CONTRACT_KINDS = ['own', 'competitor'] as const;
export type ContractKind = (typeof CONTRACT_KINDS)[number];

export const DOCUMENT_KINDS = ['proposal', 'contract', 'contract_revision', 'invoice', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

// ---- value objects -------------------------------------------------------------------------

export interface Address {
  street?: string;
  city?: string;
  postalCode?: string;
  region?: string;
  country?: string;
}
export const ADDRESS_FIELDS = ['street', 'city', 'postalCode', 'region', 'country'] as const satisfies readonly (keyof Address)[];

export interface Contact {
  name: string;
  email?: string;
  phone?: string;
  address?: Address;
}

export interface Company {
  name?: string;
  department?: string;
  personInCharge?: string;
  title?: string;
}
export const COMPANY_FIELDS = ['name', 'department', 'personInCharge', 'title'] as const satisfies readonly (keyof Company)[];

export interface Demographics {
  birthYear?: number;
  ageBand?: AgeBand;
  /** Free text, as the person gave it. */
  gender?: string;
  region?: string;
  industry?: string;
  companySize?: CompanySize;
}


/** A change set: a property present with a value sets it, present with `null` clears it, absent keeps it. */
export type Changes<T> = { [K in keyof T]?: Exclude<T[K], undefined> | null };

/** Contact changes; `address`, when present, is the whole new address (or `null`: no address). */
export interface ContactChanges {
  name?: string;
  email?: string | null;
  phone?: string | null;
  address?: Address | null;
}

// ---- event data ----------------------------------------------------------------------------

export interface CustomerRegisteredData {
  customerId: string;
  stage: CustomerStage;
  source: CustomerSource;
  contact: Contact;
  company?: Company;
  demographics?: Demographics;
  /** Distinct, in the order given. */
  tags: string[];
  ownerRepId?: string;
  /** The anonymous web visitor this customer was (their clicks become the customer's). */
  visitorId?: string;
  /** The campaign, ad or affiliate site that brought them, as the lead-capture form or tracker said. */
  campaignId?: string;
  adId?: string;
  affiliateSiteId?: string;
  registeredAt: string;
}

/** Only what changed. At least one of contact, company, demographics, tags is present. */
export interface ProfileUpdatedData {
  contact?: ContactChanges;
  company?: Changes<Company>;
  demographics?: Changes<Demographics>;
  /** The whole new tag list. */
  tags?: string[];
  updatedAt: string;
}

export interface OwnerAssignedData {
  repId: string;
  previousRepId?: string;
  assignedAt: string;
}

/** The customer became a `customer` (from a lead or prospect); it happens once. */
export interface LeadConvertedData {
  fromStage: Exclude<CustomerStage, 'customer'>;
  convertedAt: string;
}

export interface CallLoggedData {
  callId: string;
  direction: Direction;
  durationSeconds: number;
  outcome: CallOutcome;
  repId: string;
  summary?: string;
  occurredAt: string;
}

export interface EmailLoggedData {
  emailId: string;
  direction: Direction;
  subject: string;
  summary?: string;
  repId?: string;
  occurredAt: string;
}

export interface MeetingLoggedData {
  meetingId: string;
  kind: MeetingKind;
  location?: string;
  durationMinutes: number;
  repId: string;
  summary?: string;
  occurredAt: string;
}

export type LeadClickRecordedData = ClickData;

export interface SiteVisitRecordedData {
  visitId: string;
  url: string;
  referrer?: string;
  pageCount?: number;
  durationSeconds?: number;
  campaignId?: string;
  adId?: string;
  affiliateSiteId?: string;
  occurredAt: string;
}

export interface FormSubmissionRecordedData {
  submissionId: string;
  formId: string;
  fields: Record<string, string>;
  campaignId?: string;
  adId?: string;
  affiliateSiteId?: string;
  utm?: Utm;
  /** The anonymous web visitor who submitted it (identifies them as this customer). */
  visitorId?: string;
  occurredAt: string;
}

export interface PurchaseLine {
  /** 1-based, in the order of the command's lines. */
  lineNo: number;
  productSku: string;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
  /** The product's category, when the caller gave one: commission plans may rate it on its own. */
  category?: string;
}

export interface PurchaseRecordedData {
  orderId: string;
  lines: PurchaseLine[];
  /** The currency of every line. */
  currency: string;
  /** Sum of quantity * unitPriceMinor. */
  totalMinor: number;
  repId?: string;
  purchasedAt: string;
  specialInstructions?: string;
}

export interface RefundLine {
  lineNo: number;
  quantity: number;
  amountMinor: number;
}

export interface RefundRecordedData {
  refundId: string;
  orderId: string;
  lines: RefundLine[];
  /** The order's currency. */
  currency: string;
  totalMinor: number;
  reason?: string;
  refundedAt: string;
}

export interface ContractRecordedData {
  contractId: string;
  kind: ContractKind;
  /** Present for competitor contracts. */
  vendorName?: string;
  title?: string;
  startsOn: string;
  /** After startsOn. */
  endsOn: string;
  valueMinor?: number;
  /** Present when valueMinor is. */
  currency?: string;
  terms?: string;
  /** How many days before endsOn a follow-up is due. */
  followUpLeadDays?: number;
  recordedAt: string;
}

export interface ContractChanges {
  startsOn?: string;
  endsOn?: string;
  valueMinor?: number | null;
  currency?: string | null;
  terms?: string | null;
  followUpLeadDays?: number | null;
}

export interface ContractRevisedData {
  contractId: string;
  /** 1, 2, ... per contract. */
  revision: number;
  /** Only what changed; `null` clears. */
  changes: ContractChanges;
  revisedAt: string;
}

export interface ContractTerminatedData {
  contractId: string;
  terminatedOn: string;
  reason?: string;
  terminatedAt: string;
}

/**
 * A contract's follow-up fell due (the follow-up job fired, `followUpLeadDays` or the configured
 * lead before `endsOn`): once per contract revision that set its schedule.
 */
export interface FollowUpDueData {
  contractId: string;
  /** The contract revision whose end date and lead time scheduled this follow-up. */
  contractRevision: number;
  endsOn: string;
  /** Calendar date the follow-up is due on. */
  dueOn: string;
  /** The customer's owner then, who gets the follow-up task; absent when nobody owns the customer. */
  repId?: string;
  /** The task the owner gets (present with repId). */
  taskId?: string;
  /** When it fell due (the moment it was scheduled for). */
  dueAt: string;
}

/** Whether a contract revision moves its follow-up (its end or lead time), which schedules it anew. */
export function reschedulesFollowUp(changes: ContractChanges): boolean {
  return changes.endsOn !== undefined || changes.followUpLeadDays !== undefined;
}

/**
 * A customer's next purchase is overdue: the repurchase reminder job fired, the configured margin
 * after the day their purchase history expected it on. Once per expected day.
 */
export interface RepurchaseReminderDueData {
  /** The day the next purchase was expected on (see purchase-frequency.ts). */
  expectedOn: string;
  lastPurchaseOn: string;
  medianIntervalDays: number;
  purchaseDays: number;
  /** The customer's owner then, who gets the reminder task; absent when nobody owns the customer. */
  repId?: string;
  /** The task the owner gets (present with repId). */
  taskId?: string;
  /** When it fell due (the moment it was scheduled for). */
  dueAt: string;
}

export interface NoteAddedData {
  noteId: string;
  text: string;
  authorRepId?: string;
  addedAt: string;
}

export interface DocumentAttachedData {
  documentId: string;
  kind: DocumentKind;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  /** Where the file is (object store key); the log holds no file contents. */
  storageRef: string;
  contractId?: string;
  attachedAt: string;
}

/** The person's data was erased: their personal fields are unreadable from here on. */
export interface CustomerErasedData {
  erasedAt: string;
  reason?: string;
}

export type CustomerEvent =
  | { type: 'CustomerRegistered'; data: CustomerRegisteredData }
  | { type: 'ProfileUpdated'; data: ProfileUpdatedData }
  | { type: 'OwnerAssigned'; data: OwnerAssignedData }
  | { type: 'LeadConverted'; data: LeadConvertedData }
  | { type: 'CallLogged'; data: CallLoggedData }
  | { type: 'EmailLogged'; data: EmailLoggedData }
  | { type: 'MeetingLogged'; data: MeetingLoggedData }
  | { type: 'LeadClickRecorded'; data: LeadClickRecordedData }
  | { type: 'SiteVisitRecorded'; data: SiteVisitRecordedData }
  | { type: 'FormSubmissionRecorded'; data: FormSubmissionRecordedData }
  | { type: 'PurchaseRecorded'; data: PurchaseRecordedData }
  | { type: 'RefundRecorded'; data: RefundRecordedData }
  | { type: 'ContractRecorded'; data: ContractRecordedData }
  | { type: 'ContractRevised'; data: ContractRevisedData }
  | { type: 'ContractTerminated'; data: ContractTerminatedData }
  | { type: 'FollowUpDue'; data: FollowUpDueData }
  | { type: 'RepurchaseReminderDue'; data: RepurchaseReminderDueData }
  | { type: 'NoteAdded'; data: NoteAddedData }
  | { type: 'DocumentAttached'; data: DocumentAttachedData }
  | { type: 'CustomerErased'; data: CustomerErasedData };

export type CustomerEventType = CustomerEvent['type'];
export type CustomerEventOf<T extends CustomerEventType> = Extract<CustomerEvent, { type: T }>;

/** The schema version each event type is written with. Raise one with an upcaster from the old version. */
export const CUSTOMER_EVENT_SCHEMA_VERSION = {
  CustomerRegistered: 1,
  ProfileUpdated: 1,
  OwnerAssigned: 1,
  LeadConverted: 1,
  CallLogged: 1,
  EmailLogged: 1,
  MeetingLogged: 1,
  LeadClickRecorded: 1,
  SiteVisitRecorded: 1,
  FormSubmissionRecorded: 1,
  PurchaseRecorded: 1,
  RefundRecorded: 1,
  ContractRecorded: 1,
  ContractRevised: 1,
  ContractTerminated: 1,
  FollowUpDue: 1,
  RepurchaseReminderDue: 1,
  NoteAdded: 1,
  DocumentAttached: 1,
  CustomerErased: 1,
} as const satisfies Record<CustomerEventType, number>;

export const CUSTOMER_EVENT_TYPES = Object.keys(CUSTOMER_EVENT_SCHEMA_VERSION) as readonly CustomerEventType[];

export function isCustomerEventType(type: string): type is CustomerEventType {
  return Object.hasOwn(CUSTOMER_EVENT_SCHEMA_VERSION, type);
}

/**
 * A stored event (already upcast to the current version) as a {@link CustomerEvent}, or `undefined`
 * for a type this code does not know (a newer writer's): evolve can skip it.
 */
export function toCustomerEvent(event: { readonly type: string; readonly data: object }): CustomerEvent | undefined {
  return isCustomerEventType(event.type) ? ({ type: event.type, data: event.data } as CustomerEvent) : undefined;
}
