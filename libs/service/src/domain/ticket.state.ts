import { deepFreeze } from '#domain';
import type { CommentAuthor, CommentVisibility, ResolutionCode, TicketCategory, TicketChannel, TicketPriority } from './ticket.events.js';

/**
 * - `open`: being worked on (assigned or not);
 * - `waiting_on_customer`: on hold until the customer answers;
 * - `resolved`: answered or fixed, may still be reopened within the window;
 * - `closed`: done (may be reopened within the window of its resolution too).
 */
export const TICKET_STATUSES = ['open', 'waiting_on_customer', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface TicketCommentState {
  commentId: string;
  author: CommentAuthor;
  visibility: CommentVisibility;
  commentedAt: string;
}

/** What deciding on a ticket needs, and what a "state as of" view shows. Plain JSON. */
export interface TicketState {
  opened: boolean;
  customerId: string | null;
  trackingNumber: string | null;
  channel: TicketChannel | null;
  category: TicketCategory | null;
  priority: TicketPriority | null;
  status: TicketStatus | null;
  agentRepId: string | null;
  team: string | null;
  openedAt: string | null;
  resolvedAt: string | null;
  resolutionCode: ResolutionCode | null;
  closedAt: string | null;
  reopenCount: number;
  /** By comment id, in the order written. */
  comments: Record<string, TicketCommentState>;
}

export const initialTicketState: TicketState = deepFreeze({
  opened: false,
  customerId: null,
  trackingNumber: null,
  channel: null,
  category: null,
  priority: null,
  status: null,
  agentRepId: null,
  team: null,
  openedAt: null,
  resolvedAt: null,
  resolutionCode: null,
  closedAt: null,
  reopenCount: 0,
  comments: {},
});
