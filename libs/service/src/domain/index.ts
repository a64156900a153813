export * from './ticket.events.js';
export type * from './ticket.commands.js';
export * from './ticket.state.js';
export { ticketDecider, decideTicket, evolveTicket } from './ticket.decider.js';
export { ticketStream, ticketIdOfStream } from './ticket.stream.js';
export { ticketPersonalData } from './ticket.personal-data.js';
export { formatTrackingNumber, parseTrackingNumber, type TrackingNumber } from './tracking-number.js';
export { addBusinessMs, businessMsBetween, checkCalendar, type BusinessCalendar, type IsoWeekday, type OpeningBlock } from './business-hours.js';
export { readClock, resolutionClock, type ClockReading, type RunningSpan } from './sla-clock.js';
