import type { ClickData } from '#domain';

/**
 * Events of an anonymous web visitor's stream (`visitor-<visitorId>`, the id the ad tracker's
 * cookie holds): clicks from someone not known yet. A customer registered or a form submitted with
 * `visitorId` identifies the visitor: read models then count the visitor's clicks, earlier and
 * later, as that customer's. No personal data lives here.
 */
export type AnonymousClickRecordedData = ClickData;

export type VisitorEvent = { type: 'AnonymousClickRecorded'; data: AnonymousClickRecordedData };

export type VisitorEventType = VisitorEvent['type'];

export const VISITOR_EVENT_SCHEMA_VERSION = {
  AnonymousClickRecorded: 1,
} as const satisfies Record<VisitorEventType, number>;

export function isVisitorEventType(type: string): type is VisitorEventType {
  return Object.hasOwn(VISITOR_EVENT_SCHEMA_VERSION, type);
}

export function toVisitorEvent(event: { readonly type: string; readonly data: object }): VisitorEvent | undefined {
  return isVisitorEventType(event.type) ? ({ type: event.type, data: event.data } as VisitorEvent) : undefined;
}
