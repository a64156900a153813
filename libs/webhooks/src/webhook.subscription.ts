import { randomBytes } from 'node:crypto';
import { EVENT_SCHEMA_VERSION } from '#event-catalog';
import type { FieldError } from '#http';

/** `eventTypes: ["*"]`: every event type of the domain. */
export const ALL_EVENT_TYPES = '*';

export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 256;

/** What an admin registers. */
export interface SubscriptionDefinition {
  readonly url: string;
  /** Known event types, or `["*"]`. */
  readonly eventTypes: readonly string[];
  readonly secret: string;
  readonly description: string | null;
}

/** Whether a subscription to `eventTypes` wants events of `type`; `*` stands for the domain's types (not the internal ones, e-mail claims). */
export function wantsEventType(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.includes(ALL_EVENT_TYPES) ? Object.hasOwn(EVENT_SCHEMA_VERSION, type) : eventTypes.includes(type);
}

/** The event types' problems, each naming its item (`eventTypes.2`): unknown, repeated, or `*` beside others. */
export function eventTypeProblems(eventTypes: readonly string[]): FieldError[] {
  if (eventTypes.includes(ALL_EVENT_TYPES) && eventTypes.length > 1) {
    return [{ field: 'eventTypes', message: `"${ALL_EVENT_TYPES}" (every event type) stands alone` }];
  }
  return eventTypes.flatMap((type, i): FieldError[] => {
    const field = `eventTypes.${i}`;
    if (type !== ALL_EVENT_TYPES && !Object.hasOwn(EVENT_SCHEMA_VERSION, type)) return [{ field, message: `${JSON.stringify(type)} is not an event type` }];
    if (eventTypes.indexOf(type) !== i) return [{ field, message: `${type} is listed twice` }];
    return [];
  });
}

/** A signing secret for a subscription registered without one: 256 random bits. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
