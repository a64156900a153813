import type {
  Address,
  CallOutcome,
  ClickKind,
  Company,
  ContractKind,
  CustomerSource,
  CustomerStage,
  Demographics,
  Direction,
  DocumentKind,
  MeetingKind,
  Utm,
} from './customer.events.js';

/**
 * Commands to a customer stream. Each carries the ids it needs and its timestamp (ISO 8601 with a
 * zone), both chosen by the caller: deciding never reads a clock or invents an id, so the same
 * command always decides the same events. Optional properties may be omitted, `undefined` or `null`
 * (all mean "not given"), except in change sets where `null` means "clear".
 */
interface CustomerCommandBase {
  customerId: string;
}

export interface RegisterCustomer extends CustomerCommandBase {
  type: 'RegisterCustomer';
  /** Default `lead`. */
  stage?: CustomerStage;
  source: CustomerSource;
  contact: { name: string; email?: string; phone?: string; address?: Address };
  company?: Company;
  demographics?: Demographics;
  tags?: string[];
  ownerRepId?: string;
  /** The anonymous web visitor (ad tracker cookie) this person was: their clicks become the customer's. */
  visitorId?: string;
  /** What brought them, as the lead-capture form or tracker says. */
  campaignId?: string;
  adId?: string;
  affiliateSiteId?: string;
  registeredAt: string;
}

/** Field-by-field changes: a value sets, `null` clears, absent keeps. `tags` replaces the list. */
export interface UpdateProfile extends CustomerCommandBase {
  type: 'UpdateProfile';
  contact?: {
    name?: string;
    email?: string | null;
    phone?: string | null;
    /** Merged field by field too; `null` removes the whole address. */
    address?: { [K in keyof Address]?: string | null } | null;
  };
  company?: { [K in keyof Company]?: string | null };
  demographics?: { [K in keyof Demographics]?: Demographics[K] | null };
  tags?: string[];
  updatedAt: string;
}

export interface AssignOwner extends CustomerCommandBase {
  type: 'AssignOwner';
  repId: string;
  assignedAt: string;
}

/** Makes a lead or prospect a customer. */
export interface ConvertLead extends CustomerCommandBase {
  type: 'ConvertLead';
  convertedAt: string;
}

export interface LogCall extends CustomerCommandBase {
  type: 'LogCall';
  callId: string;
  direction: Direction;
  durationSeconds: number;
  outcome: CallOutcome;
  repId: string;
  summary?: string;
  occurredAt: string;
}

export interface LogEmail extends CustomerCommandBase {
  type: 'LogEmail';
  emailId: string;
  direction: Direction;
  subject: string;
  summary?: string;
  repId?: string;
  occurredAt: string;
}

export interface LogMeeting extends CustomerCommandBase {
  type: 'LogMeeting';
  meetingId: string;
  kind: MeetingKind;
  location?: string;
  durationMinutes: number;
  repId: string;
  summary?: string;
  occurredAt: string;
}

/** `ad` clicks need adId or campaignId; `affiliate_link` clicks need affiliateSiteId. */
export interface RecordClick extends CustomerCommandBase {
  type: 'RecordClick';
  clickId: string;
  kind: ClickKind;
  campaignId?: string;
  adId?: string;
  affiliateSiteId?: string;
  url: string;
  utm?: Utm;
  occurredAt: string;
}

export interface RecordSiteVisit extends CustomerCommandBase {
  type: 'RecordSiteVisit';
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

export interface RecordFormSubmission extends CustomerCommandBase {
  type: 'RecordFormSubmission';
  submissionId: string;
  formId: string;
  fields: Record<string, string>;
  campaignId?: string;
  adId?: string;
  affiliateSiteId?: string;
  utm?: Utm;
  /** The anonymous web visitor who submitted it: identifies them as this customer. */
  visitorId?: string;
  occurredAt: string;
}

export interface PurchaseLineInput {
  productSku: string;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
  /** Trimmed; blank reads as not given. */
  category?: string;
}

/** Lines are numbered 1, 2, ... in the order given; the total is computed. */
export interface RecordPurchase extends CustomerCommandBase {
  type: 'RecordPurchase';
  orderId: string;
  lines: PurchaseLineInput[];
  repId?: string;
  purchasedAt: string;
  specialInstructions?: string;
}

export interface RefundLineInput {
  /** The purchase line refunded. */
  lineNo: number;
  quantity: number;
  /** Default: quantity * the line's unit price. */
  amountMinor?: number;
}

export interface RecordRefund extends CustomerCommandBase {
  type: 'RecordRefund';
  refundId: string;
  orderId: string;
  lines: RefundLineInput[];
  reason?: string;
  refundedAt: string;
}

export interface RecordContract extends CustomerCommandBase {
  type: 'RecordContract';
  contractId: string;
  kind: ContractKind;
  /** Required for competitor contracts. */
  vendorName?: string;
  title?: string;
  startsOn: string;
  endsOn: string;
  valueMinor?: number;
  /** Required with valueMinor. */
  currency?: string;
  terms?: string;
  followUpLeadDays?: number;
  recordedAt: string;
}

export interface ReviseContract extends CustomerCommandBase {
  type: 'ReviseContract';
  contractId: string;
  /** A value sets, `null` clears (not the dates), absent keeps. */
  changes: {
    startsOn?: string;
    endsOn?: string;
    valueMinor?: number | null;
    currency?: string | null;
    terms?: string | null;
    followUpLeadDays?: number | null;
  };
  revisedAt: string;
}

export interface TerminateContract extends CustomerCommandBase {
  type: 'TerminateContract';
  contractId: string;
  /** The calendar date the contract ends by termination. */
  terminatedOn: string;
  reason?: string;
  terminatedAt: string;
}

/**
 * Issued by the follow-up job when a contract's follow-up falls due: refused for a terminated
 * contract, for a revision a later one rescheduled (`follow_up_rescheduled`) and for one already
 * due (`follow_up_already_due`).
 */
export interface RecordFollowUpDue extends CustomerCommandBase {
  type: 'RecordFollowUpDue';
  contractId: string;
  contractRevision: number;
  dueOn: string;
  /** The id the owner's follow-up task gets, if the customer has an owner. */
  taskId: string;
  dueAt: string;
}

/**
 * Issued by the repurchase reminder job when a customer's next purchase is overdue: refused when
 * their history no longer expects it on `expectedOn` (a purchase since, `repurchase_expectation_changed`),
 * when it is too short (`purchase_history_too_short`) and once reminded (`repurchase_already_reminded`).
 */
export interface RecordRepurchaseReminder extends CustomerCommandBase {
  type: 'RecordRepurchaseReminder';
  expectedOn: string;
  /** The id the owner's reminder task gets, if the customer has an owner. */
  taskId: string;
  dueAt: string;
}

export interface AddNote extends CustomerCommandBase {
  type: 'AddNote';
  noteId: string;
  text: string;
  authorRepId?: string;
  addedAt: string;
}

export interface AttachDocument extends CustomerCommandBase {
  type: 'AttachDocument';
  documentId: string;
  kind: DocumentKind;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  storageRef: string;
  /** A contract of this customer. */
  contractId?: string;
  attachedAt: string;
}

/** Records the erasure; deleting the customer's data key is the command side's part. */
export interface EraseCustomer extends CustomerCommandBase {
  type: 'EraseCustomer';
  reason?: string;
  erasedAt: string;
}

export type CustomerCommand =
  | RegisterCustomer
  | UpdateProfile
  | AssignOwner
  | ConvertLead
  | LogCall
  | LogEmail
  | LogMeeting
  | RecordClick
  | RecordSiteVisit
  | RecordFormSubmission
  | RecordPurchase
  | RecordRefund
  | RecordContract
  | ReviseContract
  | TerminateContract
  | RecordFollowUpDue
  | RecordRepurchaseReminder
  | AddNote
  | AttachDocument
  | EraseCustomer;

export type CustomerCommandType = CustomerCommand['type'];
export type CustomerCommandOf<T extends CustomerCommandType> = Extract<CustomerCommand, { type: T }>;
