/**
 * Commands on a ticket's stream. Fields are as the caller sent them (unchecked): the decider
 * validates and normalises. Times the caller does not choose (openedAt, ...) are the handler's.
 */

interface OnTicket {
  readonly ticketId: string;
}

export interface OpenTicket extends OnTicket {
  readonly type: 'OpenTicket';
  readonly customerId: string;
  readonly trackingNumber: string;
  readonly channel: string;
  readonly category: string;
  readonly priority?: string;
  readonly subject: string;
  readonly description?: string;
  readonly productSku?: string;
  readonly orderId?: string;
  readonly lineNo?: number;
  readonly serviceContractId?: string;
  readonly openedAt: string;
}

export interface AssignTicket extends OnTicket {
  readonly type: 'AssignTicket';
  readonly agentRepId?: string;
  readonly team?: string;
  readonly assignedAt: string;
}

export interface CommentOnTicket extends OnTicket {
  readonly type: 'CommentOnTicket';
  readonly commentId: string;
  readonly author: string;
  readonly authorRepId?: string;
  readonly visibility?: string;
  readonly text: string;
  readonly commentedAt: string;
}

export interface ChangeTicketPriority extends OnTicket {
  readonly type: 'ChangeTicketPriority';
  readonly priority: string;
  readonly changedAt: string;
}

export interface PutTicketOnHold extends OnTicket {
  readonly type: 'PutTicketOnHold';
  readonly reason?: string;
  readonly heldAt: string;
}

export interface ResumeTicket extends OnTicket {
  readonly type: 'ResumeTicket';
  readonly resumedAt: string;
}

export interface ResolveTicket extends OnTicket {
  readonly type: 'ResolveTicket';
  readonly resolutionCode: string;
  readonly note?: string;
  readonly resolvedAt: string;
}

export interface CloseTicket extends OnTicket {
  readonly type: 'CloseTicket';
  readonly closedAt: string;
}

export interface ReopenTicket extends OnTicket {
  readonly type: 'ReopenTicket';
  readonly reason?: string;
  readonly reopenedAt: string;
  /** How long after its resolution a ticket may be reopened (configuration, not the caller's). */
  readonly reopenWindowDays: number;
}

export type TicketCommand =
  | OpenTicket
  | AssignTicket
  | CommentOnTicket
  | ChangeTicketPriority
  | PutTicketOnHold
  | ResumeTicket
  | ResolveTicket
  | CloseTicket
  | ReopenTicket;

export type TicketCommandOf<T extends TicketCommand['type']> = Extract<TicketCommand, { type: T }>;
