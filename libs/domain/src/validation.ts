import { RuleViolationError } from './decider.js';
import { textBreaches, textRuleBreach, type TextKind } from './text.js';

/**
 * Checks and normalisers for command input, shared by the contexts. Each throws a
 * {@link RuleViolationError} naming the command field at fault. Pure: no clock, no randomness.
 * The HTTP layer validates shapes too; these keep the event log sound whatever the caller
 * (CSV import, jobs, other services).
 */

export function violation(reason: string, message: string, field?: string): never {
  throw new RuleViolationError(reason, message, field);
}

/** `value` when it keeps the product's text rule (see text.ts); a violation naming the field otherwise. */
export function ruledText(value: string, field: string, kind: TextKind = 'multiline'): string {
  const why = textRuleBreach(value, kind);
  if (why !== undefined) violation('invalid_text', `${field} ${why}`, field);
  return value;
}

/**
 * Every string in event data (property names too) against the text rule: whatever builds a command
 * (HTTP, jobs, the CLI, imports), the log holds nothing PostgreSQL or a read model cannot.
 */
export function assertRuledTexts(data: unknown, field?: string): void {
  const [first] = textBreaches(data, field);
  if (first !== undefined) violation('invalid_text', first.message, first.field);
}

/** A non-blank single-line string, returned as given (ids, references). */
export function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') violation('required', `${field} is required`, field);
  return ruledText(value, field, 'line');
}

/** A non-blank single-line string, trimmed (names and other short profile text). */
export function requiredTrimmed(value: unknown, field: string, reason = 'required'): string {
  if (typeof value !== 'string' || value.trim() === '') violation(reason, `${field} is required`, field);
  return ruledText(value.trim(), field, 'line');
}

/** An optional string (free text: it may span lines): absent (undefined or null) or blank reads as undefined; otherwise returned as given. */
export function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') violation('invalid_value', `${field} must be a string`, field);
  return value.trim() === '' ? undefined : ruledText(value, field);
}

/** Like {@link optionalText}, trimmed. */
export function optionalTrimmed(value: unknown, field: string): string | undefined {
  return optionalText(value, field)?.trim();
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    violation('invalid_value', `${field} must be one of ${allowed.join(', ')}`, field);
  }
  return value as T;
}

export function optionalOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  return value === undefined || value === null ? undefined : oneOf(value, allowed, field);
}

/** A safe integer of at least `min`; below it the rule is `belowMinReason`. */
export function integer(value: unknown, field: string, min: number, belowMinReason = 'invalid_value'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) violation('not_an_integer', `${field} must be an integer`, field);
  if (value < min) violation(belowMinReason, `${field} must be at least ${min}`, field);
  return value;
}

export function optionalInteger(value: unknown, field: string, min: number, belowMinReason = 'invalid_value'): number | undefined {
  return value === undefined || value === null ? undefined : integer(value, field, min, belowMinReason);
}

/** A safe integer within `min`..`max` (inclusive); outside it the rule is `outOfRangeReason`. */
export function integerInRange(value: unknown, field: string, min: number, max: number, outOfRangeReason: string): number {
  const result = integer(value, field, min, outOfRangeReason);
  if (result > max) violation(outOfRangeReason, `${field} must be at most ${max}`, field);
  return result;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/**
 * An ISO 8601 timestamp with a zone (`Z` or an offset: without one it would depend on the machine's
 * time zone), normalised to UTC with milliseconds (`2024-05-01T09:30:00.000Z`) so that timestamps
 * compare as strings.
 */
export function timestamp(value: unknown, field: string): string {
  const match = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  const millis = match && isCalendarDate(match[1]) ? Date.parse(value as string) : Number.NaN;
  if (!Number.isFinite(millis)) violation('invalid_timestamp', `${field} must be an ISO 8601 timestamp with a time zone`, field);
  return new Date(millis).toISOString();
}

export function optionalTimestamp(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : timestamp(value, field);
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real `YYYY-MM-DD` date of the proleptic Gregorian calendar. */
export function isCalendarDate(value: string): boolean {
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A calendar date, `YYYY-MM-DD`. */
export function calendarDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) violation('invalid_date', `${field} must be a date (YYYY-MM-DD)`, field);
  return value;
}

/** An ISO 4217 code: three letters, returned upper-case. */
export function currencyCode(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value)) violation('invalid_currency', `${field} must be an ISO 4217 currency code`, field);
  return value.toUpperCase();
}

export function optionalCurrencyCode(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : currencyCode(value, field);
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** An e-mail address, trimmed. */
export function emailAddress(value: unknown, field: string): string {
  const address = requiredTrimmed(value, field);
  if (!EMAIL.test(address)) violation('invalid_email', `${field} is not an e-mail address`, field);
  return address;
}

/** Like {@link emailAddress}; absent or blank reads as undefined. */
export function optionalEmail(value: unknown, field: string): string | undefined {
  const address = optionalTrimmed(value, field);
  return address === undefined ? undefined : emailAddress(address, field);
}

/**
 * An optional list of objects, each checked by `item` with its own field path (`tiers[1]`); absent
 * reads as empty.
 */
export function objectList<T>(value: unknown, field: string, item: (input: Readonly<Record<string, unknown>>, field: string) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) violation('invalid_value', `${field} must be a list`, field);
  return value.map((input: unknown, i) => {
    const itemField = `${field}[${i}]`;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) violation('invalid_value', `${itemField} must be an object`, itemField);
    return item(input as Readonly<Record<string, unknown>>, itemField);
  });
}

/** The named text fields of an optional object, trimmed; blanks and absent ones left out. */
export function textFields<K extends string>(input: unknown, keys: readonly K[], field: string): Partial<Record<K, string>> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) violation('invalid_value', `${field} must be an object`, field);
  const result: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = optionalTrimmed((input as Record<string, unknown>)[key], `${field}.${key}`);
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/** `value`, or undefined when it has no property: an optional object with nothing in it is left out. */
export function nonEmpty<T extends object>(value: T): T | undefined {
  return Object.keys(value).length === 0 ? undefined : value;
}

/** Strings trimmed, blanks dropped, duplicates dropped (first occurrence kept). */
export function distinctTags(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) violation('invalid_value', `${field} must be a list of strings`, field);
  const tags: string[] = [];
  value.forEach((tag, i) => {
    if (typeof tag !== 'string') violation('invalid_value', `${field}[${i}] must be a string`, `${field}[${i}]`);
    const trimmed = ruledText(tag.trim(), `${field}[${i}]`, 'line');
    if (trimmed !== '' && !tags.includes(trimmed)) tags.push(trimmed);
  });
  return tags;
}

/** Whether two JSON-like values are equal (key order ignored; undefined properties count as absent). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const defined = (o: object) => Object.entries(o).filter(([, v]) => v !== undefined);
  const entriesA = defined(a);
  const entriesB = new Map(defined(b));
  return entriesA.length === entriesB.size && entriesA.every(([key, value]) => entriesB.has(key) && sameJson(value, entriesB.get(key)));
}

/**
 * A copy without `undefined` properties, at any depth, so event data serialises exactly as it is
 * compared (`{ a: undefined }` and `{}` must not both exist). Arrays keep their length: an
 * `undefined` element is a bug and throws.
 */
export function stripUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      if (item === undefined) throw new TypeError(`undefined at index ${i} of event data`);
      return stripUndefined(item);
    }) as T;
  }
  if (typeof value !== 'object' || value === null) return value;
  // fromEntries defines own properties: a key such as `__proto__` stays data.
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => [key, stripUndefined(item)]),
  ) as T;
}

/** Whether `record` has `key` as its own property (not `constructor`, `__proto__`... from the prototype). */
export function hasOwn<V>(record: Readonly<Record<string, V>>, key: string): boolean {
  return Object.hasOwn(record, key);
}

/** `record[key]` when it is an own property. */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `value`, frozen at every depth: initial states are shared, so nothing may change them. */
export function deepFreeze<T extends object>(value: T): T {
  for (const item of Object.values(value)) if (typeof item === 'object' && item !== null) deepFreeze(item);
  return Object.freeze(value);
}
