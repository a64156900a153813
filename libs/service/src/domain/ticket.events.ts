/**
 * Events of a service ticket's stream (`ticket-<id>`): a complaint, question or incident of a
 * customer, from opening to closing. Timestamps are ISO 8601 in UTC. Every event names the
 * ticket's customer, whose data key protects its texts (subject, description, comments, reasons):
 * erasing the customer leaves the ticket's course readable and its words not.
 */

export const TICKET_CHANNELS = ['phone', 'email', 'web_form', 'walk_in'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];

export const TICKET_CATEGORIES = ['question', 'complaint', 'incident', 'request', 'warranty_claim', 'other'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const RESOLUTION_CODES = ['fixed', 'answered', 'workaround', 'duplicate', 'not_reproducible', 'wont_fix', 'customer_withdrew'] as const;
export type ResolutionCode = (typeof RESOLUTION_CODES)[number];

export const COMMENT_VISIBILITIES = ['internal', 'public'] as const;
export type CommentVisibility = (typeof COMMENT_VISIBILITIES)[number];

export const COMMENT_AUTHORS = ['agent', 'customer'] as const;
export type CommentAuthor = (typeof COMMENT_AUTHORS)[number];

export interface TicketOpenedData {
  customerId: string;
  /** What a person reads out on the phone, e.g. `CS-2026-004711` (see tracking-number.ts). */
  trackingNumber: string;
  channel: TicketChannel;
  category: TicketCategory;
  priority: TicketPriority;
  subject: string;
  description?: string;
  /** What it is about, when known: a product, a purchase line, a service contract. */
  productSku?: string;
  orderId?: string;
  lineNo?: number;
  serviceContractId?: string;
  openedAt: string;
}

/** To an agent (a rep working in service) or to a team's queue; exactly one of the two. */
export interface TicketAssignedData {
  customerId: string;
  agentRepId?: string;
  team?: string;
  assignedAt: string;
}

export interface TicketCommentedData {
  customerId: string;
  commentId: string;
  author: CommentAuthor;
  /** The agent who wrote it (agent comments). */
  authorRepId?: string;
  /** Internal comments are for the service team; the customer sees public ones only. */
  visibility: CommentVisibility;
  text: string;
  commentedAt: string;
}

export interface TicketPriorityChangedData {
  customerId: string;
  priority: TicketPriority;
  previousPriority: TicketPriority;
  changedAt: string;
}

/** Waiting on the customer: the SLA clocks pause until they answer or an agent resumes it. */
export interface TicketPutOnHoldData {
  customerId: string;
  reason?: string;
  heldAt: string;
}

export interface TicketResumedData {
  customerId: string;
  /** `customer_replied`: their comment resumed it; `agent`: an agent did. */
  by: 'customer_replied' | 'agent';
  resumedAt: string;
}

export interface TicketResolvedData {
  customerId: string;
  resolutionCode: ResolutionCode;
  note?: string;
  resolvedAt: string;
}

export interface TicketClosedData {
  customerId: string;
  closedAt: string;
}

export interface TicketReopenedData {
  customerId: string;
  reason?: string;
  reopenedAt: string;
}

export type TicketEvent =
  | { type: 'TicketOpened'; data: TicketOpenedData }
  | { type: 'TicketAssigned'; data: TicketAssignedData }
  | { type: 'TicketCommented'; data: TicketCommentedData }
  | { type: 'TicketPriorityChanged'; data: TicketPriorityChangedData }
  | { type: 'TicketPutOnHold'; data: TicketPutOnHoldData }
  | { type: 'TicketResumed'; data: TicketResumedData }
  | { type: 'TicketResolved'; data: TicketResolvedData }
  | { type: 'TicketClosed'; data: TicketClosedData }
  | { type: 'TicketReopened'; data: TicketReopenedData };

export type TicketEventType = TicketEvent['type'];
export type TicketEventOf<T extends TicketEventType> = Extract<TicketEvent, { type: T }>;

export const TICKET_EVENT_SCHEMA_VERSION = {
  TicketOpened: 1,
  TicketAssigned: 1,
  TicketCommented: 1,
  TicketPriorityChanged: 1,
  TicketPutOnHold: 1,
  TicketResumed: 1,
  TicketResolved: 1,
  TicketClosed: 1,
  TicketReopened: 1,
} as const satisfies Record<TicketEventType, number>;

export const TICKET_EVENT_TYPES = Object.keys(TICKET_EVENT_SCHEMA_VERSION) as readonly TicketEventType[];

export function isTicketEventType(type: string): type is TicketEventType {
  return Object.hasOwn(TICKET_EVENT_SCHEMA_VERSION, type);
}

/** A stored event as a {@link TicketEvent}, or `undefined` for a type this code does not know. */
export function toTicketEvent(event: { readonly type: string; readonly data: object }): TicketEvent | undefined {
  return isTicketEventType(event.type) ? ({ type: event.type, data: event.data } as TicketEvent) : undefined;
}
