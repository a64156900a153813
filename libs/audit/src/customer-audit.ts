import { customerDecider, customerStream, toCustomerEvent, type CustomerState } from '#customers/domain';
import { fold } from '#domain';
import { serializePosition, type EventStore, type JsonObject, type ReadStreamOptions, type RecordedEvent } from '#event-store';
import type { AsOf } from './as-of.js';

/**
 * The auditor's replay of a customer's stream, shared by the audit API and the CLI: the raw
 * history, and the state as of a moment rebuilt by the domain's own evolve. Reads go through the
 * app's event store, so personal values are decrypted (or read as erased) and old versions upcast.
 */

export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 1000;

/** An event as recorded, in JSON: its position serialised, its time in ISO 8601. */
export interface AuditEvent {
  readonly id: string;
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  /** The version as read, after upcasting. */
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: {
    readonly actor: string;
    readonly commandId: string;
    readonly correlationId: string;
    readonly causationId: string;
    readonly recordedAt: string;
  };
}

/** Which events of the history; every bound is inclusive, and all of them apply together. */
export interface HistoryQuery {
  readonly fromRevision?: number;
  readonly toRevision?: number;
  /** Recorded at or after. */
  readonly from?: Date;
  /** Recorded at or before. */
  readonly to?: Date;
  /** Only events after this revision: the previous page's cursor. */
  readonly after?: number;
  readonly limit: number;
}

export interface HistoryPage {
  readonly events: AuditEvent[];
  /** The `after` of the next page, or `null` on the last one. */
  readonly nextCursor: number | null;
}

export interface CustomerStateAsOf {
  readonly customerId: string;
  /** The last event folded in: the latest at or before the moment asked for. */
  readonly asOf: { readonly revision: number; readonly recordedAt: string };
  readonly state: CustomerState;
}

/** The customer has no events at all, or none yet at the moment asked for. */
export class CustomerHistoryNotFoundError extends Error {
  constructor(
    readonly reason: 'customer_not_found' | 'customer_not_yet_registered',
    message: string,
  ) {
    super(message);
    this.name = 'CustomerHistoryNotFoundError';
  }
}

/** One page of the customer's events in revision order; throws {@link CustomerHistoryNotFoundError} for an unknown customer. */
export async function readCustomerHistory(store: EventStore, customerId: string, query: HistoryQuery): Promise<HistoryPage> {
  const streamId = customerStream(customerId);
  const { from, limit } = query;
  // One more than the page holds tells whether another page follows.
  const wanted = limit + 1;
  // Filtering by `from` may skip many events: read those in big chunks rather than page-sized ones.
  const chunk = from === undefined ? wanted : Math.max(wanted, HISTORY_MAX_LIMIT);
  const found: RecordedEvent[] = [];
  let fromRevision = Math.max(query.fromRevision ?? 0, query.after === undefined ? 0 : query.after + 1);
  for (;;) {
    const read = await store.readStream(streamId, { fromRevision, toRevision: query.toRevision, until: query.to, limit: chunk });
    // The store bounds reads by time from above only: the lower bound is applied here.
    found.push(...(from === undefined ? read : read.filter((event) => event.metadata.recordedAt >= from)));
    if (found.length >= wanted || read.length < chunk) break;
    fromRevision = read[read.length - 1].revision + 1;
  }
  const events = found.slice(0, limit);
  if (events.length === 0 && (await store.streamRevision(streamId)) === null) throw unknownCustomer(customerId);
  return { events: events.map(toAuditEvent), nextCursor: found.length > limit ? events[events.length - 1].revision : null };
}

/**
 * The customer's state after every event up to `asOf` (a revision past the end: the latest state;
 * omitted: now). Throws {@link CustomerHistoryNotFoundError} for an unknown customer, or a moment
 * before their first event.
 */
export async function customerStateAsOf(store: EventStore, customerId: string, asOf?: AsOf): Promise<CustomerStateAsOf> {
  const streamId = customerStream(customerId);
  const bound: ReadStreamOptions = asOf === undefined ? {} : 'revision' in asOf ? { toRevision: asOf.revision } : { until: asOf.at };
  const events = await store.readStream(streamId, bound);
  const last = events.at(-1);
  if (last === undefined) throw await nothingAsOf(store, customerId, asOf);
  // A type this code does not know (a newer writer's) changes nothing here, as in evolve.
  const state = fold(customerDecider, events.flatMap((event) => toCustomerEvent(event) ?? []));
  return { customerId, asOf: { revision: last.revision, recordedAt: last.metadata.recordedAt.toISOString() }, state };
}

function toAuditEvent(event: RecordedEvent): AuditEvent {
  const { actor, commandId, correlationId, causationId, recordedAt } = event.metadata;
  return {
    id: event.id,
    revision: event.revision,
    position: serializePosition(event.position),
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: { actor, commandId, correlationId, causationId, recordedAt: recordedAt.toISOString() },
  };
}

/** Why a read up to `asOf` found nothing: no such customer, or a time before their first event. */
async function nothingAsOf(store: EventStore, customerId: string, asOf: AsOf | undefined): Promise<CustomerHistoryNotFoundError> {
  // Only a time can fall before the first event: every revision bound includes revision 0.
  if (asOf === undefined || !('at' in asOf)) return unknownCustomer(customerId);
  const [first] = await store.readStream(customerStream(customerId), { limit: 1 });
  if (first === undefined) return unknownCustomer(customerId);
  return new CustomerHistoryNotFoundError(
    'customer_not_yet_registered',
    `customer ${customerId} did not exist yet at ${asOf.at.toISOString()}: their first event was recorded at ${first.metadata.recordedAt.toISOString()}`,
  );
}

function unknownCustomer(customerId: string): CustomerHistoryNotFoundError {
  return new CustomerHistoryNotFoundError('customer_not_found', `no customer ${customerId}`);
}
