import { NotFoundError, RuleViolationError, fold } from '#domain';
import { DOMAIN_PERSONAL_DATA, schemaVersionOf } from '#event-catalog';
import type { JsonObject } from '#event-store';
import { givenFor } from '#testing';
import {
  TICKET_EVENT_SCHEMA_VERSION,
  TICKET_EVENT_TYPES,
  formatTrackingNumber,
  parseTrackingNumber,
  ticketDecider,
  ticketIdOfStream,
  ticketStream,
  toTicketEvent,
  type TicketCommand,
  type TicketCommandOf,
  type TicketEvent,
} from './index.js';

const given = givenFor(ticketDecider);

// ---- fixtures -----------------------------------------------------------------------------------

const CUSTOMER = 'cust-1';
const at = (day: number, time = '10:00:00') => `2026-03-${String(day).padStart(2, '0')}T${time}.000Z`;

const opened: TicketEvent = {
  type: 'TicketOpened',
  data: {
    customerId: CUSTOMER,
    trackingNumber: 'CS-2026-004711',
    channel: 'phone',
    category: 'complaint',
    priority: 'normal',
    subject: 'The standing desk wobbles',
    description: 'Since the delivery, the left leg is loose',
    productSku: 'DESK-1',
    orderId: 'o-1',
    lineNo: 1,
    openedAt: at(6),
  },
};
const assigned: TicketEvent = { type: 'TicketAssigned', data: { customerId: CUSTOMER, agentRepId: 'ann', assignedAt: at(6, '10:05:00') } };
const held: TicketEvent = { type: 'TicketPutOnHold', data: { customerId: CUSTOMER, reason: 'Asked for a photo', heldAt: at(6, '11:00:00') } };
const resolved: TicketEvent = { type: 'TicketResolved', data: { customerId: CUSTOMER, resolutionCode: 'fixed', resolvedAt: at(9) } };
const closed: TicketEvent = { type: 'TicketClosed', data: { customerId: CUSTOMER, closedAt: at(10) } };

const command = <T extends TicketCommand['type']>(type: T, fields: Omit<TicketCommandOf<T>, 'type' | 'ticketId'>): TicketCommand =>
  ({ type, ticketId: 't-1', ...fields }) as unknown as TicketCommand;

const open = (fields: Partial<TicketCommandOf<'OpenTicket'>> = {}) =>
  command('OpenTicket', {
    customerId: CUSTOMER,
    trackingNumber: 'CS-2026-004711',
    channel: 'phone',
    category: 'complaint',
    subject: '  The standing desk wobbles ',
    description: 'Since the delivery, the left leg is loose',
    productSku: 'DESK-1',
    orderId: 'o-1',
    lineNo: 1,
    openedAt: at(6),
    ...fields,
  });
const comment = (fields: Partial<TicketCommandOf<'CommentOnTicket'>> = {}) =>
  command('CommentOnTicket', { commentId: 'k-1', author: 'agent', authorRepId: 'ann', text: 'Spare part ordered', commentedAt: at(7), ...fields });
const reopen = (reopenedAt: string) => command('ReopenTicket', { reopenedAt, reopenWindowDays: 14 });

// ---- opening ------------------------------------------------------------------------------------

describe('OpenTicket', () => {
  it('opens the ticket, trimmed, at normal priority unless told', () => {
    given([]).when(open()).then([opened]);
    given([])
      .when(open({ priority: 'urgent', description: undefined, productSku: undefined, orderId: undefined, lineNo: undefined }))
      .then([{ type: 'TicketOpened', data: { customerId: CUSTOMER, trackingNumber: 'CS-2026-004711', channel: 'phone', category: 'complaint', priority: 'urgent', subject: 'The standing desk wobbles', openedAt: at(6) } }]);
  });

  it.each<[string, Partial<TicketCommandOf<'OpenTicket'>>, string, string]>([
    ['an unknown channel', { channel: 'fax' }, 'invalid_value', 'channel'],
    ['an unknown category', { category: 'rant' }, 'invalid_value', 'category'],
    ['an unknown priority', { priority: 'whenever' }, 'invalid_value', 'priority'],
    ['a blank subject', { subject: '   ' }, 'required', 'subject'],
    ['a malformed tracking number', { trackingNumber: '4711' }, 'invalid_tracking_number', 'trackingNumber'],
    ['a purchase line without its order', { orderId: undefined }, 'order_required', 'orderId'],
    ['line number 0', { lineNo: 0 }, 'invalid_value', 'lineNo'],
  ])('refuses %s', (_, fields, reason, field) => {
    given([]).when(open(fields)).thenThrows(RuleViolationError, reason, field);
  });

  it('opens a ticket once', () => {
    given([opened]).when(open()).thenThrows(RuleViolationError, 'ticket_already_opened', 'ticketId');
  });

  it('answers not found for any other command on a ticket never opened', () => {
    given([]).when(comment()).thenThrows(NotFoundError, 'ticket_not_found', 'ticketId');
    given([]).when(command('CloseTicket', { closedAt: at(7) })).thenThrows(NotFoundError, 'ticket_not_found');
  });
});

// ---- assigning and priority -----------------------------------------------------------------------

describe('AssignTicket', () => {
  it('assigns to an agent, or to a team queue', () => {
    given([opened]).when(command('AssignTicket', { agentRepId: 'ann', assignedAt: at(6, '10:05:00') })).then([assigned]);
    given([opened, assigned])
      .when(command('AssignTicket', { team: 'Tier 2', assignedAt: at(7) }))
      .then([{ type: 'TicketAssigned', data: { customerId: CUSTOMER, team: 'Tier 2', assignedAt: at(7) } }]);
  });

  it('needs exactly one of agent and team, and a change', () => {
    given([opened]).when(command('AssignTicket', { assignedAt: at(7) })).thenThrows(RuleViolationError, 'agent_or_team', 'agentRepId');
    given([opened]).when(command('AssignTicket', { agentRepId: 'ann', team: 'Tier 2', assignedAt: at(7) })).thenThrows(RuleViolationError, 'agent_or_team');
    given([opened, assigned]).when(command('AssignTicket', { agentRepId: 'ann', assignedAt: at(7) })).thenThrows(RuleViolationError, 'already_assigned', 'agentRepId');
  });

  it('assigns only a ticket still being worked on', () => {
    given([opened, resolved]).when(command('AssignTicket', { agentRepId: 'bob', assignedAt: at(9, '12:00:00') })).thenThrows(RuleViolationError, 'invalid_transition');
  });
});

describe('ChangeTicketPriority', () => {
  it('records the change with what it was', () => {
    given([opened])
      .when(command('ChangeTicketPriority', { priority: 'high', changedAt: at(7) }))
      .then([{ type: 'TicketPriorityChanged', data: { customerId: CUSTOMER, priority: 'high', previousPriority: 'normal', changedAt: at(7) } }]);
  });

  it('refuses the same priority, an unknown one, and a resolved ticket', () => {
    given([opened]).when(command('ChangeTicketPriority', { priority: 'normal', changedAt: at(7) })).thenThrows(RuleViolationError, 'priority_unchanged', 'priority');
    given([opened]).when(command('ChangeTicketPriority', { priority: 'asap', changedAt: at(7) })).thenThrows(RuleViolationError, 'invalid_value', 'priority');
    given([opened, resolved]).when(command('ChangeTicketPriority', { priority: 'high', changedAt: at(9, '12:00:00') })).thenThrows(RuleViolationError, 'invalid_transition');
  });
});

// ---- comments, holding and resuming ---------------------------------------------------------------

describe('CommentOnTicket', () => {
  it("keeps an agent's comment internal unless told, a customer's public", () => {
    given([opened])
      .when(comment())
      .then([{ type: 'TicketCommented', data: { customerId: CUSTOMER, commentId: 'k-1', author: 'agent', authorRepId: 'ann', visibility: 'internal', text: 'Spare part ordered', commentedAt: at(7) } }]);
    given([opened])
      .when(comment({ author: 'customer', authorRepId: undefined, text: 'Any news?' }))
      .then([{ type: 'TicketCommented', data: { customerId: CUSTOMER, commentId: 'k-1', author: 'customer', visibility: 'public', text: 'Any news?', commentedAt: at(7) } }]);
  });

  it("resumes a ticket waiting on the customer when they answer, not when an agent writes", () => {
    const [, resumed] = given([opened, held]).when(comment({ author: 'customer', authorRepId: undefined, text: 'Photo attached' })).then([
      { type: 'TicketCommented', data: { customerId: CUSTOMER, commentId: 'k-1', author: 'customer', visibility: 'public', text: 'Photo attached', commentedAt: at(7) } },
      { type: 'TicketResumed', data: { customerId: CUSTOMER, by: 'customer_replied', resumedAt: at(7) } },
    ]);
    expect(resumed.type).toBe('TicketResumed');
    given([opened, held])
      .when(comment({ visibility: 'public' }))
      .then([{ type: 'TicketCommented', data: { customerId: CUSTOMER, commentId: 'k-1', author: 'agent', authorRepId: 'ann', visibility: 'public', text: 'Spare part ordered', commentedAt: at(7) } }]);
  });

  it.each<[string, TicketEvent[], Partial<TicketCommandOf<'CommentOnTicket'>>, string, string | undefined]>([
    ['an internal comment by the customer', [opened], { author: 'customer', authorRepId: undefined, visibility: 'internal' }, 'customer_comment_public', 'visibility'],
    ["a customer's comment naming an agent", [opened], { author: 'customer' }, 'customer_comment_has_no_agent', 'authorRepId'],
    ['an unknown author', [opened], { author: 'robot' }, 'invalid_value', 'author'],
    ['an empty text', [opened], { text: ' ' }, 'required', 'text'],
    ['a comment id used before', [opened, { type: 'TicketCommented', data: { customerId: CUSTOMER, commentId: 'k-1', author: 'agent', visibility: 'internal', text: 'x', commentedAt: at(6) } }], {}, 'comment_exists', 'commentId'],
    ['a comment on a closed ticket', [opened, resolved, closed], {}, 'invalid_transition', undefined],
  ])('refuses %s', (_, history, fields, reason, field) => {
    given(history).when(comment(fields)).thenThrows(RuleViolationError, reason, field);
  });
});

describe('PutTicketOnHold and ResumeTicket', () => {
  it('holds an open ticket and resumes it', () => {
    given([opened]).when(command('PutTicketOnHold', { reason: ' Asked for a photo ', heldAt: at(6, '11:00:00') })).then([held]);
    given([opened, held]).when(command('ResumeTicket', { resumedAt: at(8) })).then([{ type: 'TicketResumed', data: { customerId: CUSTOMER, by: 'agent', resumedAt: at(8) } }]);
  });

  it('refuses to hold a ticket on hold or resolved, and to resume one not on hold', () => {
    given([opened, held]).when(command('PutTicketOnHold', { heldAt: at(7) })).thenThrows(RuleViolationError, 'invalid_transition');
    given([opened, resolved]).when(command('PutTicketOnHold', { heldAt: at(9, '12:00:00') })).thenThrows(RuleViolationError, 'invalid_transition');
    given([opened]).when(command('ResumeTicket', { resumedAt: at(7) })).thenThrows(RuleViolationError, 'invalid_transition');
  });
});

// ---- resolving, closing, reopening ------------------------------------------------------------------

describe('ResolveTicket, CloseTicket and ReopenTicket', () => {
  it('resolves an open ticket or one on hold, with a resolution code', () => {
    given([opened, assigned]).when(command('ResolveTicket', { resolutionCode: 'fixed', resolvedAt: at(9) })).then([resolved]);
    given([opened, held])
      .when(command('ResolveTicket', { resolutionCode: 'customer_withdrew', note: 'No answer for a week', resolvedAt: at(13) }))
      .then([{ type: 'TicketResolved', data: { customerId: CUSTOMER, resolutionCode: 'customer_withdrew', note: 'No answer for a week', resolvedAt: at(13) } }]);
  });

  it('refuses an unknown resolution code, and resolving twice', () => {
    given([opened]).when(command('ResolveTicket', { resolutionCode: 'magic', resolvedAt: at(9) })).thenThrows(RuleViolationError, 'invalid_value', 'resolutionCode');
    given([opened, resolved]).when(command('ResolveTicket', { resolutionCode: 'fixed', resolvedAt: at(9) })).thenThrows(RuleViolationError, 'invalid_transition');
  });

  it('closes a resolved ticket only', () => {
    given([opened, resolved]).when(command('CloseTicket', { closedAt: at(10) })).then([closed]);
    given([opened]).when(command('CloseTicket', { closedAt: at(10) })).thenThrows(RuleViolationError, 'invalid_transition');
    given([opened, resolved, closed]).when(command('CloseTicket', { closedAt: at(11) })).thenThrows(RuleViolationError, 'invalid_transition');
  });

  it('reopens a resolved or closed ticket within the window of its resolution, and no later', () => {
    const reopened: TicketEvent = { type: 'TicketReopened', data: { customerId: CUSTOMER, reopenedAt: at(23) } };
    given([opened, resolved]).when(reopen(at(23))).then([reopened]);
    given([opened, resolved, closed]).when(reopen(at(23))).then([reopened]);
    // Resolved on the 9th at 10:00: the 14 days end on the 23rd at 10:00.
    given([opened, resolved, closed]).when(reopen(at(23, '10:00:01'))).thenThrows(RuleViolationError, 'reopen_window_passed');
    given([opened]).when(reopen(at(7))).thenThrows(RuleViolationError, 'invalid_transition');
  });

  it('folds a reopened ticket back to open, counting the reopenings', () => {
    const state = fold(ticketDecider, [opened, assigned, resolved, closed, { type: 'TicketReopened', data: { customerId: CUSTOMER, reopenedAt: at(11) } }]);
    expect(state).toMatchObject({ status: 'open', agentRepId: 'ann', resolvedAt: null, closedAt: null, reopenCount: 1, trackingNumber: 'CS-2026-004711' });
  });
});

// ---- schema, personal data, streams, tracking numbers -----------------------------------------------

describe('ticket event schema', () => {
  it('has a schema version for every event type, merged into the domain-wide schema', () => {
    expect(TICKET_EVENT_TYPES).toHaveLength(9);
    for (const type of TICKET_EVENT_TYPES) expect(schemaVersionOf(type)).toBe(TICKET_EVENT_SCHEMA_VERSION[type]);
    expect(toTicketEvent({ type: 'Unknown', data: {} })).toBeUndefined();
  });

  it("classifies every string it writes, and protects the texts with the customer's key", () => {
    const events = [
      opened,
      assigned,
      held,
      { type: 'TicketCommented', data: { customerId: CUSTOMER, commentId: 'k', author: 'agent', authorRepId: 'ann', visibility: 'internal', text: 'x', commentedAt: at(7) } },
      { type: 'TicketReopened', data: { customerId: CUSTOMER, reason: 'again', reopenedAt: at(8) } },
      { ...resolved, data: { ...resolved.data, note: 'n' } },
    ] satisfies TicketEvent[];
    for (const event of events) {
      const data = event.data as unknown as JsonObject;
      expect([event.type, DOMAIN_PERSONAL_DATA.unclassifiedFields(event.type, data)]).toEqual([event.type, []]);
    }
    expect(DOMAIN_PERSONAL_DATA.keyStreamOf('TicketOpened', opened.data as unknown as JsonObject, 'ticket-t-1')).toBe(`customer-${CUSTOMER}`);
    expect(DOMAIN_PERSONAL_DATA.erased('TicketOpened', opened.data as unknown as JsonObject)).toMatchObject({ subject: { $erased: true }, description: { $erased: true }, productSku: 'DESK-1' });
  });

  it('names streams ticket-<id>', () => {
    expect(ticketStream('t-1')).toBe('ticket-t-1');
    expect(ticketIdOfStream('ticket-t-1')).toBe('t-1');
    expect(ticketIdOfStream('customer-t-1')).toBeUndefined();
  });
});

describe('tracking numbers', () => {
  it('reads out as prefix, year and a six-digit sequence, and parses back as typed', () => {
    expect(formatTrackingNumber({ prefix: 'CS', year: 2026, sequence: 4711 })).toBe('CS-2026-004711');
    expect(formatTrackingNumber({ prefix: 'CS', year: 2026, sequence: 12_345_678 })).toBe('CS-2026-12345678');
    expect(parseTrackingNumber(' cs-2026-004711 ')).toEqual({ prefix: 'CS', year: 2026, sequence: 4711 });
    for (const bad of ['', 'CS-26-004711', 'CS-2026-4711', 'CS2026004711', 'C5-2026-004711', 'CS-2026-000000']) expect(parseTrackingNumber(bad)).toBeUndefined();
  });

  it('refuses parts that cannot make one', () => {
    expect(() => formatTrackingNumber({ prefix: 'cs', year: 2026, sequence: 1 })).toThrow(RangeError);
    expect(() => formatTrackingNumber({ prefix: 'CS', year: 26, sequence: 1 })).toThrow(RangeError);
    expect(() => formatTrackingNumber({ prefix: 'CS', year: 2026, sequence: 0 })).toThrow(RangeError);
  });
});
