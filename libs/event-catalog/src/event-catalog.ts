import { CAMPAIGN_EVENT_SCHEMA_VERSION, PRODUCT_EVENT_SCHEMA_VERSION, VISITOR_EVENT_SCHEMA_VERSION } from '#marketing/domain';
import type { Upcaster } from '#event-store';
import { CUSTOMER_EVENT_SCHEMA_VERSION, customerPersonalData, customerUpcasters } from '#customers/domain';
import { REP_EVENT_SCHEMA_VERSION } from '#sales/domain';

/**
 * The event schema of every bounded context, merged: what the event store wiring needs
 * (`new PersonalDataPolicy(domainPersonalData)`, `new UpcasterRegistry(domainUpcasters)`) and
 * what the command side stamps on new events (`EVENT_SCHEMA_VERSION[type]`).
 */

function merge<V>(contexts: readonly Readonly<Record<string, V>>[]): Readonly<Record<string, V>> {
  const merged: Record<string, V> = {};
  for (const context of contexts) {
    for (const [type, value] of Object.entries(context)) {
      if (Object.hasOwn(merged, type)) throw new Error(`event type ${type} is declared by two contexts`);
      merged[type] = value;
    }
  }
  return Object.freeze(merged);
}

/**
 * Personal field paths per event type, of all contexts. Rep events declare none: a rep is an
 * employee, not a data subject whose erasure this log serves (that is the customer's). Product,
 * campaign and anonymous visitor events hold no personal data either: a visitor is a cookie id
 * until a customer names it, and the person's data then lives in the customer's stream.
 */
export const domainPersonalData: Readonly<Record<string, readonly string[]>> = merge<readonly string[]>([customerPersonalData]);

/** Upcasters of all contexts (the other contexts' events are all at their first version). */
export const domainUpcasters: Upcaster[] = [...customerUpcasters];

/** The current schema version of each event type, of all contexts. */
export const EVENT_SCHEMA_VERSION: Readonly<Record<string, number>> = merge<number>([
  CUSTOMER_EVENT_SCHEMA_VERSION,
  REP_EVENT_SCHEMA_VERSION,
  PRODUCT_EVENT_SCHEMA_VERSION,
  CAMPAIGN_EVENT_SCHEMA_VERSION,
  VISITOR_EVENT_SCHEMA_VERSION,
]);

/** The version to write an event of `type` with; throws for a type no context declares. */
export function schemaVersionOf(type: string): number {
  if (!Object.hasOwn(EVENT_SCHEMA_VERSION, type)) throw new Error(`unknown event type ${type}`);
  return EVENT_SCHEMA_VERSION[type];
}
