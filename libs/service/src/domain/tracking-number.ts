/**
 * Tracking numbers a person can read out on the phone: `<PREFIX>-<YEAR>-<SEQUENCE>`, e.g.
 * `CS-2026-004711`, the sequence counting the tickets of that year (at least six digits). The
 * sequence is drawn outside the ticket's stream (a database sequence per year), so numbers are
 * unique; a number drawn for an open that then failed is skipped, never reused (gap-tolerant).
 */
export interface TrackingNumber {
  readonly prefix: string;
  readonly year: number;
  readonly sequence: number;
}

const PREFIX = /^[A-Z]{1,6}$/;
const FORMAT = /^([A-Z]{1,6})-(\d{4})-(\d{6,12})$/;

export function formatTrackingNumber({ prefix, year, sequence }: TrackingNumber): string {
  if (!PREFIX.test(prefix)) throw new RangeError(`a tracking number prefix is 1 to 6 capital letters, not "${prefix}"`);
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`not a year: ${year}`);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`a sequence is a positive integer, not ${sequence}`);
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

/** The parts of a tracking number as a person may type it (any case, surrounding spaces), or `undefined`. */
export function parseTrackingNumber(text: string): TrackingNumber | undefined {
  const match = FORMAT.exec(text.trim().toUpperCase());
  if (!match) return undefined;
  const sequence = Number(match[3]);
  return Number.isSafeInteger(sequence) && sequence > 0 ? { prefix: match[1], year: Number(match[2]), sequence } : undefined;
}
