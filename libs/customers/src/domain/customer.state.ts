import { deepFreeze } from '#domain';
import type { Company, Contact, ContractKind, CustomerSource, CustomerStage, Demographics } from './customer.events.js';

/**
 * What deciding needs, and what an auditor's "state as of" view shows. Plain JSON (objects, arrays,
 * strings, numbers, null): no Map, Set, Date or undefined. Records are keyed by id; read them
 * with own-property checks (`Object.hasOwn`), as an id may be `constructor`.
 */
export interface CustomerState {
  registered: boolean;
  erased: boolean;
  customerId: string | null;
  stage: CustomerStage | null;
  source: CustomerSource | null;
  ownerRepId: string | null;
  /** Null before registration and after erasure. Personal values read as `{ $erased: true }` once the key is gone. */
  contact: Contact | null;
  /** Null when no company field is set. */
  company: Company | null;
  /** Null when no demographic field is set. */
  demographics: Demographics | null;
  tags: string[];
  registeredAt: string | null;
  convertedAt: string | null;
  erasedAt: string | null;
  /** Latest occurredAt/purchasedAt of a call, e-mail, meeting, click, site visit, form submission or purchase. */
  lastInteractionAt: string | null;
  interactions: InteractionCounts;
  orders: Record<string, OrderState>;
  refundIds: string[];
  contracts: Record<string, ContractState>;
  /** The expected purchase days a repurchase reminder fell due for (RepurchaseReminderDue). */
  repurchaseRemindersOn: string[];
  documentIds: string[];
}

export interface InteractionCounts {
  calls: number;
  emails: number;
  meetings: number;
  clicks: number;
  siteVisits: number;
  formSubmissions: number;
  purchases: number;
  refunds: number;
  notes: number;
  documents: number;
}

export interface OrderState {
  orderId: string;
  currency: string;
  totalMinor: number;
  refundedMinor: number;
  repId: string | null;
  purchasedAt: string;
  lines: OrderLineState[];
}

export interface OrderLineState {
  lineNo: number;
  productSku: string;
  quantity: number;
  unitPriceMinor: number;
  refundedQuantity: number;
  refundedMinor: number;
}

/** A contract's current terms, after every revision. */
export interface ContractState {
  contractId: string;
  kind: ContractKind;
  vendorName: string | null;
  title: string | null;
  startsOn: string;
  endsOn: string;
  valueMinor: number | null;
  currency: string | null;
  terms: string | null;
  followUpLeadDays: number | null;
  /** Revisions so far (0: as recorded). */
  revision: number;
  /** The revision that last set the end date or lead time, i.e. scheduled the follow-up (0: as recorded). */
  followUpRevision: number;
  /** The revision whose follow-up fell due (FollowUpDue), if one did. */
  followUpDueRevision: number | null;
  terminated: boolean;
  terminatedOn: string | null;
  terminationReason: string | null;
  recordedAt: string;
  lastRevisedAt: string | null;
}

/** Frozen (deeply): evolve never changes a state, it returns a new one. */
export const initialCustomerState: CustomerState = deepFreeze({
  registered: false,
  erased: false,
  customerId: null,
  stage: null,
  source: null,
  ownerRepId: null,
  contact: null,
  company: null,
  demographics: null,
  tags: [],
  registeredAt: null,
  convertedAt: null,
  erasedAt: null,
  lastInteractionAt: null,
  interactions: {
    calls: 0,
    emails: 0,
    meetings: 0,
    clicks: 0,
    siteVisits: 0,
    formSubmissions: 0,
    purchases: 0,
    refunds: 0,
    notes: 0,
    documents: 0,
  },
  orders: {},
  refundIds: [],
  contracts: {},
  repurchaseRemindersOn: [],
  documentIds: [],
});
