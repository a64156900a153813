import { isISO8601 } from 'class-validator';

/** A moment of a customer's history: after the event at `revision`, or at the time `at` (inclusive). */
export type AsOf = { readonly revision: number } | { readonly at: Date };

export const INSTANT_RULE = 'an ISO 8601 timestamp with a time zone, e.g. 2026-11-20T14:30:00Z';
export const REVISION_RULE = 'a revision (an integer of 0 or more)';
export const AS_OF_RULE = `${REVISION_RULE} or ${INSTANT_RULE}`;

// A time without a zone would be read in the server's zone: ambiguous in an audit, so refused.
const WITH_ZONE = /T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/i;
const WHOLE_NUMBER = /^\d{1,15}$/;

/** `value` as a moment when it is an ISO 8601 timestamp with a zone (checked against the calendar), else `undefined`. */
export function parseInstant(value: unknown): Date | undefined {
  // strict: JavaScript's Date would take February 30th for March 2nd.
  if (typeof value !== 'string' || !WITH_ZONE.test(value) || !isISO8601(value, { strict: true, strictSeparator: true })) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** `value` when it is a whole number of 0 or more in plain decimal digits (not `1e3`, `0x10`, ` 5` nor an empty string), else `undefined`. */
export function parseWholeNumber(value: unknown): number | undefined {
  return typeof value === 'string' && WHOLE_NUMBER.test(value) ? Number(value) : undefined;
}

/** A revision number or an instant, else `undefined`. */
export function parseAsOf(value: unknown): AsOf | undefined {
  const revision = parseWholeNumber(value);
  if (revision !== undefined) return { revision };
  const at = parseInstant(value);
  return at === undefined ? undefined : { at };
}

/** What {@link parseAsOf} returns (query DTOs hold the parsed value once it is valid). */
export function isAsOf(value: unknown): value is AsOf {
  if (typeof value !== 'object' || value === null) return false;
  return ('revision' in value && typeof value.revision === 'number') || ('at' in value && value.at instanceof Date);
}
