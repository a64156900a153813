import {
  NotFoundError,
  integer,
  oneOf,
  optionalOneOf,
  optionalText,
  optionalTrimmed,
  ownValue,
  requiredText,
  requiredTrimmed,
  stripUndefined,
  timestamp,
  violation,
  type Decider,
} from '#domain';
import type {
  AssignTicket,
  ChangeTicketPriority,
  CommentOnTicket,
  OpenTicket,
  PutTicketOnHold,
  ReopenTicket,
  ResolveTicket,
  TicketCommand,
} from './ticket.commands.js';
import {
  COMMENT_AUTHORS,
  COMMENT_VISIBILITIES,
  RESOLUTION_CODES,
  TICKET_CATEGORIES,
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  type TicketEvent,
} from './ticket.events.js';
import { initialTicketState, type TicketState, type TicketStatus } from './ticket.state.js';
import { parseTrackingNumber } from './tracking-number.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The service desk's write model for one ticket. `decide` enforces the rules and throws
 * NotFoundError (`ticket_not_found`) or RuleViolationError (a reason per rule, below); an invalid
 * transition names the status the ticket is in. `evolve` trusts the events it folds.
 */
export const ticketDecider: Decider<TicketCommand, TicketEvent, TicketState> = {
  initialState: initialTicketState,
  decide: decideTicket,
  evolve: evolveTicket,
};

export function decideTicket(command: TicketCommand, state: TicketState): TicketEvent[] {
  if (command.type === 'OpenTicket') return [stripUndefined(open(command, state))];
  if (!state.opened || state.customerId === null) throw new NotFoundError('ticket_not_found', `no ticket ${command.ticketId}`, 'ticketId');
  const customerId = state.customerId;
  // Every event leaves without undefined properties, whatever the branch built.
  return decideOnOpened(command, state, customerId).map(stripUndefined);
}

function decideOnOpened(command: Exclude<TicketCommand, OpenTicket>, state: TicketState, customerId: string): TicketEvent[] {
  switch (command.type) {
    case 'AssignTicket':
      return [assign(command, state, customerId)];
    case 'CommentOnTicket':
      return comment(command, state, customerId);
    case 'ChangeTicketPriority':
      return [changePriority(command, state, customerId)];
    case 'PutTicketOnHold':
      return [hold(command, state, customerId)];
    case 'ResumeTicket':
      requireStatus(state, ['waiting_on_customer'], 'resume');
      return [{ type: 'TicketResumed', data: { customerId, by: 'agent', resumedAt: timestamp(command.resumedAt, 'resumedAt') } }];
    case 'ResolveTicket':
      return [resolve(command, state, customerId)];
    case 'CloseTicket':
      requireStatus(state, ['resolved'], 'close');
      return [{ type: 'TicketClosed', data: { customerId, closedAt: timestamp(command.closedAt, 'closedAt') } }];
    case 'ReopenTicket':
      return [reopen(command, state, customerId)];
    default: {
      const unknown: never = command;
      throw new Error(`unknown ticket command ${(unknown as { type: string }).type}`);
    }
  }
}

/** The rule of every transition: allowed from these statuses only (422 `invalid_transition`). */
function requireStatus(state: TicketState, allowed: readonly TicketStatus[], action: string): void {
  if (state.status === null || !allowed.includes(state.status)) {
    violation('invalid_transition', `a ticket ${state.status ?? 'not opened'} cannot ${action}: only one ${allowed.join(' or ')} can`);
  }
}

const ACTIVE: readonly TicketStatus[] = ['open', 'waiting_on_customer'];

function open(command: OpenTicket, state: TicketState): TicketEvent {
  if (state.opened) violation('ticket_already_opened', `ticket ${command.ticketId} is open already`, 'ticketId');
  const trackingNumber = requiredText(command.trackingNumber, 'trackingNumber');
  if (parseTrackingNumber(trackingNumber) === undefined) violation('invalid_tracking_number', `"${trackingNumber}" is not a tracking number`, 'trackingNumber');
  const orderId = optionalText(command.orderId, 'orderId');
  const lineNo = command.lineNo === undefined ? undefined : integer(command.lineNo, 'lineNo', 1);
  if (lineNo !== undefined && orderId === undefined) violation('order_required', 'a purchase line is named with its order (orderId)', 'orderId');
  return {
    type: 'TicketOpened',
    data: {
      customerId: requiredText(command.customerId, 'customerId'),
      trackingNumber,
      channel: oneOf(command.channel, TICKET_CHANNELS, 'channel'),
      category: oneOf(command.category, TICKET_CATEGORIES, 'category'),
      priority: optionalOneOf(command.priority, TICKET_PRIORITIES, 'priority') ?? 'normal',
      subject: requiredTrimmed(command.subject, 'subject'),
      description: optionalTrimmed(command.description, 'description'),
      productSku: optionalText(command.productSku, 'productSku'),
      orderId,
      lineNo,
      serviceContractId: optionalText(command.serviceContractId, 'serviceContractId'),
      openedAt: timestamp(command.openedAt, 'openedAt'),
    },
  };
}

function assign(command: AssignTicket, state: TicketState, customerId: string): TicketEvent {
  requireStatus(state, ACTIVE, 'be assigned');
  const agentRepId = optionalText(command.agentRepId, 'agentRepId');
  const team = optionalTrimmed(command.team, 'team');
  if ((agentRepId === undefined) === (team === undefined)) violation('agent_or_team', 'a ticket goes to an agent (agentRepId) or to a team queue (team), one of the two', 'agentRepId');
  if (agentRepId !== undefined && agentRepId === state.agentRepId) violation('already_assigned', `ticket is agent ${agentRepId}'s already`, 'agentRepId');
  if (team !== undefined && state.agentRepId === null && team === state.team) violation('already_assigned', `ticket is in team ${team}'s queue already`, 'team');
  return { type: 'TicketAssigned', data: { customerId, agentRepId, team, assignedAt: timestamp(command.assignedAt, 'assignedAt') } };
}

/** A customer's answer to a ticket waiting on them resumes it: both are recorded by the one command. */
function comment(command: CommentOnTicket, state: TicketState, customerId: string): TicketEvent[] {
  if (state.status === 'closed') violation('invalid_transition', 'a closed ticket takes no comments: reopen it first');
  const commentId = requiredText(command.commentId, 'commentId');
  if (ownValue(state.comments, commentId) !== undefined) violation('comment_exists', `comment ${commentId} was written before`, 'commentId');
  const author = oneOf(command.author, COMMENT_AUTHORS, 'author');
  const visibility = optionalOneOf(command.visibility, COMMENT_VISIBILITIES, 'visibility') ?? (author === 'customer' ? 'public' : 'internal');
  if (author === 'customer' && visibility === 'internal') violation('customer_comment_public', "a customer's comment is public: they wrote it", 'visibility');
  const authorRepId = optionalText(command.authorRepId, 'authorRepId');
  if (author === 'customer' && authorRepId !== undefined) violation('customer_comment_has_no_agent', "a customer's comment names no agent", 'authorRepId');
  const commentedAt = timestamp(command.commentedAt, 'commentedAt');
  const commented: TicketEvent = {
    type: 'TicketCommented',
    data: { customerId, commentId, author, authorRepId, visibility, text: requiredTrimmed(command.text, 'text'), commentedAt },
  };
  if (author === 'customer' && state.status === 'waiting_on_customer') {
    return [commented, { type: 'TicketResumed', data: { customerId, by: 'customer_replied', resumedAt: commentedAt } }];
  }
  return [commented];
}

function changePriority(command: ChangeTicketPriority, state: TicketState, customerId: string): TicketEvent {
  requireStatus(state, ACTIVE, 'change its priority');
  const priority = oneOf(command.priority, TICKET_PRIORITIES, 'priority');
  const previousPriority = state.priority ?? 'normal';
  if (priority === previousPriority) violation('priority_unchanged', `the ticket's priority is ${priority} already`, 'priority');
  return { type: 'TicketPriorityChanged', data: { customerId, priority, previousPriority, changedAt: timestamp(command.changedAt, 'changedAt') } };
}

function hold(command: PutTicketOnHold, state: TicketState, customerId: string): TicketEvent {
  requireStatus(state, ['open'], 'be put on hold');
  return { type: 'TicketPutOnHold', data: { customerId, reason: optionalTrimmed(command.reason, 'reason'), heldAt: timestamp(command.heldAt, 'heldAt') } };
}

function resolve(command: ResolveTicket, state: TicketState, customerId: string): TicketEvent {
  requireStatus(state, ACTIVE, 'be resolved');
  return {
    type: 'TicketResolved',
    data: {
      customerId,
      resolutionCode: oneOf(command.resolutionCode, RESOLUTION_CODES, 'resolutionCode'),
      note: optionalTrimmed(command.note, 'note'),
      resolvedAt: timestamp(command.resolvedAt, 'resolvedAt'),
    },
  };
}

function reopen(command: ReopenTicket, state: TicketState, customerId: string): TicketEvent {
  requireStatus(state, ['resolved', 'closed'], 'be reopened');
  const reopenedAt = timestamp(command.reopenedAt, 'reopenedAt');
  const resolvedAt = state.resolvedAt ?? reopenedAt;
  if (Date.parse(reopenedAt) - Date.parse(resolvedAt) > command.reopenWindowDays * DAY_MS) {
    violation('reopen_window_passed', `a ticket may be reopened within ${command.reopenWindowDays} days of its resolution (resolved ${resolvedAt}): open a new one`);
  }
  return { type: 'TicketReopened', data: { customerId, reason: optionalTrimmed(command.reason, 'reason'), reopenedAt } };
}

export function evolveTicket(state: TicketState, event: TicketEvent): TicketState {
  switch (event.type) {
    case 'TicketOpened': {
      const { data } = event;
      return {
        ...state,
        opened: true,
        customerId: data.customerId,
        trackingNumber: data.trackingNumber,
        channel: data.channel,
        category: data.category,
        priority: data.priority,
        status: 'open',
        openedAt: data.openedAt,
      };
    }
    case 'TicketAssigned':
      return { ...state, agentRepId: event.data.agentRepId ?? null, team: event.data.team ?? state.team };
    case 'TicketCommented': {
      const { commentId, author, visibility, commentedAt } = event.data;
      return { ...state, comments: { ...state.comments, [commentId]: { commentId, author, visibility, commentedAt } } };
    }
    case 'TicketPriorityChanged':
      return { ...state, priority: event.data.priority };
    case 'TicketPutOnHold':
      return { ...state, status: 'waiting_on_customer' };
    case 'TicketResumed':
      return { ...state, status: 'open' };
    case 'TicketResolved':
      return { ...state, status: 'resolved', resolvedAt: event.data.resolvedAt, resolutionCode: event.data.resolutionCode };
    case 'TicketClosed':
      return { ...state, status: 'closed', closedAt: event.data.closedAt };
    case 'TicketReopened':
      return { ...state, status: 'open', resolvedAt: null, resolutionCode: null, closedAt: null, reopenCount: state.reopenCount + 1 };
    default:
      // An event type this version does not know (written by a newer one): nothing to fold.
      return state;
  }
}
