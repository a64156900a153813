import { declarePersonalData } from '#domain';
import type { TicketEvent } from './ticket.events.js';

/** A ticket's words are the customer's: under their key (`subjectCustomerId`), erased with them. */
export const ticketPersonalData = declarePersonalData<TicketEvent>()({
  TicketOpened: {
    personal: ['subject', 'description'],
    notPersonal: ['customerId', 'trackingNumber', 'channel', 'category', 'priority', 'productSku', 'orderId', 'serviceContractId', 'openedAt'],
    subjectCustomerId: 'customerId',
  },
  TicketAssigned: { personal: [], notPersonal: ['customerId', 'agentRepId', 'team', 'assignedAt'] },
  TicketCommented: {
    personal: ['text'],
    notPersonal: ['customerId', 'commentId', 'author', 'authorRepId', 'visibility', 'commentedAt'],
    subjectCustomerId: 'customerId',
  },
  TicketPriorityChanged: { personal: [], notPersonal: ['customerId', 'priority', 'previousPriority', 'changedAt'] },
  TicketPutOnHold: { personal: ['reason'], notPersonal: ['customerId', 'heldAt'], subjectCustomerId: 'customerId' },
  TicketResumed: { personal: [], notPersonal: ['customerId', 'by', 'resumedAt'] },
  TicketResolved: { personal: ['note'], notPersonal: ['customerId', 'resolutionCode', 'resolvedAt'], subjectCustomerId: 'customerId' },
  TicketClosed: { personal: [], notPersonal: ['customerId', 'closedAt'] },
  TicketReopened: { personal: ['reason'], notPersonal: ['customerId', 'reopenedAt'], subjectCustomerId: 'customerId' },
});
