import { streamNames } from '#domain';

const names = streamNames('ticket-', 'ticket');

/** The stream of a service ticket: `ticket-<id>`. */
export const ticketStream = names.streamOf;

/** The ticket id of a `ticket-<id>` stream, or `undefined` for any other stream. */
export const ticketIdOfStream = names.idOf;
