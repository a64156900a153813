import type { PersonalDataDeclaration } from '#domain';
import {
  CAMPAIGN_EVENT_SCHEMA_VERSION,
  PRODUCT_EVENT_SCHEMA_VERSION,
  VISITOR_EVENT_SCHEMA_VERSION,
  campaignPersonalData,
  productPersonalData,
  visitorPersonalData,
  visitorStream,
} from '#marketing/domain';
import { PersonalDataPolicy, type JsonObject, type KeyLink, type PersonalDataRule, type Upcaster } from '#event-store';
import { CUSTOMER_EVENT_SCHEMA_VERSION, customerPersonalData, customerStream, customerUpcasters } from '#customers/domain';
import { emailClaimPersonalData } from '#lead-capture/domain';
import { REP_EVENT_SCHEMA_VERSION, repPersonalData } from '#sales/domain';
import { TICKET_EVENT_SCHEMA_VERSION, ticketPersonalData } from '#service/domain';

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

/** Every context's personal-data declarations, one per event type (lead capture's internal e-mail claims too). */
export const PERSONAL_DATA_DECLARATIONS: Readonly<Record<string, PersonalDataDeclaration>> = merge<PersonalDataDeclaration>([
  customerPersonalData,
  repPersonalData,
  productPersonalData,
  campaignPersonalData,
  visitorPersonalData,
  ticketPersonalData,
  emailClaimPersonalData,
]);

/** The event store's rules for every event type. */
export const domainPersonalData: Readonly<Record<string, PersonalDataRule>> = Object.fromEntries(
  Object.entries(PERSONAL_DATA_DECLARATIONS).map(([type, declaration]) => [type, ruleOf(declaration)]),
);

/**
 * The policy the event store enforces: an event with a string field no declaration classifies is
 * refused. Read models use it too, to blank an erased person's fields as a re-read would.
 */
export const DOMAIN_PERSONAL_DATA = new PersonalDataPolicy(domainPersonalData, { requireClassified: true });

function ruleOf({ personal, notPersonal, subjectCustomerId, erasedWith }: PersonalDataDeclaration): PersonalDataRule {
  const idAt = (data: JsonObject, field: string) => (typeof data[field] === 'string' && data[field] !== '' ? data[field] : undefined);
  return {
    personal,
    notPersonal,
    keyStream:
      subjectCustomerId === undefined
        ? undefined
        : (data) => {
            const id = idAt(data, subjectCustomerId);
            return id === undefined ? undefined : customerStream(id);
          },
    keyLinks:
      erasedWith === undefined
        ? undefined
        : (data, streamId): KeyLink[] => {
            const id = idAt(data, erasedWith.field);
            if (id === undefined) return [];
            return erasedWith.stream === 'customer'
              ? [{ subject: customerStream(id), linked: streamId, ownKey: true }]
              : [{ subject: streamId, linked: visitorStream(id), ownKey: true }];
          },
  };
}

/** Upcasters of all contexts (the other contexts' events are all at their first version). */
export const domainUpcasters: Upcaster[] = [...customerUpcasters];

/** The current schema version of each event type, of all contexts. */
export const EVENT_SCHEMA_VERSION: Readonly<Record<string, number>> = merge<number>([
  CUSTOMER_EVENT_SCHEMA_VERSION,
  REP_EVENT_SCHEMA_VERSION,
  PRODUCT_EVENT_SCHEMA_VERSION,
  CAMPAIGN_EVENT_SCHEMA_VERSION,
  VISITOR_EVENT_SCHEMA_VERSION,
  TICKET_EVENT_SCHEMA_VERSION,
]);

/** The version to write an event of `type` with; throws for a type no context declares. */
export function schemaVersionOf(type: string): number {
  if (!Object.hasOwn(EVENT_SCHEMA_VERSION, type)) throw new Error(`unknown event type ${type}`);
  return EVENT_SCHEMA_VERSION[type];
}
