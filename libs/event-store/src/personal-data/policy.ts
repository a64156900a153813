import type { JsonObject, JsonValue } from '../event.js';
import { isPlainObject } from './cipher.js';
import { ERASED } from './erased.js';

/** One step of a field path: a key, and with `[]` every element of the array found there. */
interface PathSegment {
  readonly key: string;
  readonly eachElement: boolean;
}

/** A parsed field path, e.g. `contact.email` or `lines[].note`. */
export type FieldPath = readonly PathSegment[];

const SEGMENT = /^([^.[\]]+)(\[\])?$/;

/**
 * One event type's personal data: which fields are personal, which string fields are stated not
 * to be, and whose key protects them when the event is about a person with a stream of their own
 * (a task about a customer in a rep's stream).
 */
export interface PersonalDataRule {
  readonly personal: readonly string[];
  readonly notPersonal?: readonly string[];
  /** The stream whose data key encrypts this event's personal fields; absent or `undefined`: the event's own. */
  readonly keyStream?: (data: JsonObject) => string | undefined;
  /** Streams of the same person this event names: erasing `subject`'s key erases `linked`'s too. */
  readonly keyLinks?: (data: JsonObject, streamId: string) => readonly KeyLink[];
}

/** Two streams of one person: `linked` holds `subject`'s data, under its own key (erased with the subject's) or the subject's. */
export interface KeyLink {
  readonly subject: string;
  readonly linked: string;
  readonly ownKey: boolean;
}

export interface PersonalDataPolicyOptions {
  /**
   * Refuse events holding a string field the policy neither protects nor lists as not personal,
   * and events of a type it does not know: a field added without a decision is never stored in
   * the clear by mistake.
   */
  readonly requireClassified?: boolean;
}

interface ParsedRule {
  readonly personal: FieldPath[];
  /** Every classified path, personal or not, in the `a.b[].c` notation of {@link stringPaths}. */
  readonly classified: readonly string[];
  readonly keyStream?: (data: JsonObject) => string | undefined;
  readonly keyLinks?: (data: JsonObject, streamId: string) => readonly KeyLink[];
}

/**
 * Which fields of which event types are personal. Paths are dot paths into nested objects
 * (`contact.email`); `[]` after a key addresses every element of that array (`lines[].note`,
 * `tags[]`). A declared field that is absent from an event is left alone.
 * Only the write side uses it: reads decrypt whatever is encrypted, so changing the policy never
 * makes old events unreadable.
 */
export class PersonalDataPolicy {
  private readonly byType = new Map<string, ParsedRule>();
  readonly requireClassified: boolean;

  constructor(rules: Readonly<Record<string, PersonalDataRule | readonly string[]>> = {}, options: PersonalDataPolicyOptions = {}) {
    this.requireClassified = options.requireClassified ?? false;
    for (const [type, rule] of Object.entries(rules)) this.register(type, rule);
  }

  /** `paths` alone: those fields are personal, under the event's own stream's key. */
  register(eventType: string, rule: PersonalDataRule | readonly string[]): this {
    if (this.byType.has(eventType)) throw new Error(`personal fields of ${eventType} declared twice`);
    const { personal: paths, notPersonal = [], keyStream, keyLinks } = isPathList(rule) ? { personal: rule } : rule;
    const parsed = paths.map(parseFieldPath);
    // An outer and an inner path would encrypt the inner value twice; declare the outer one only.
    const keyPaths = parsed.map((path) => path.map((segment) => segment.key).join('.'));
    keyPaths.forEach((outer, i) => {
      const inner = keyPaths.find((other, j) => j !== i && (other === outer || other.startsWith(`${outer}.`)));
      if (inner !== undefined) throw new Error(`personal fields of ${eventType}: ${paths[i]} overlaps ${inner}`);
    });
    notPersonal.forEach(parseFieldPath);
    this.byType.set(eventType, { personal: parsed, classified: [...paths, ...notPersonal], keyStream, keyLinks });
    return this;
  }

  fieldsOf(eventType: string): readonly FieldPath[] {
    return this.byType.get(eventType)?.personal ?? [];
  }

  /** The stream whose key protects the personal fields of an event in `streamId`. */
  keyStreamOf(eventType: string, data: JsonObject, streamId: string): string {
    return this.byType.get(eventType)?.keyStream?.(data) ?? streamId;
  }

  keyLinksOf(eventType: string, data: JsonObject, streamId: string): readonly KeyLink[] {
    return this.byType.get(eventType)?.keyLinks?.(data, streamId) ?? [];
  }

  /** The string fields of `data` the policy does not classify (all of them for an unknown type). */
  unclassifiedFields(eventType: string, data: JsonObject): string[] {
    const classified = this.byType.get(eventType)?.classified ?? [];
    return stringPaths(data, '').filter(
      (path) => !classified.some((listed) => path === listed || path.startsWith(`${listed}.`) || path.startsWith(`${listed}[]`)),
    );
  }

  /** `data` as it reads once its key is erased: each present personal value (`null` too) replaced by {@link ERASED}. */
  erased(eventType: string, data: JsonObject): JsonObject {
    return mapFields(data, this.fieldsOf(eventType), () => ({ ...ERASED }));
  }
}

function isPathList(rule: PersonalDataRule | readonly string[]): rule is readonly string[] {
  return Array.isArray(rule);
}

/** The path of every string in `value`, distinct: keys joined by `.`, array elements as `[]`. */
function stringPaths(value: JsonValue, prefix: string): string[] {
  if (typeof value === 'string') return [prefix];
  if (Array.isArray(value)) return [...new Set(value.flatMap((element) => stringPaths(element, `${prefix}[]`)))];
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => stringPaths(item, prefix === '' ? key : `${prefix}.${key}`));
}

export function parseFieldPath(path: string): FieldPath {
  return path.split('.').map((part) => {
    const match = SEGMENT.exec(part);
    if (!match) throw new Error(`"${path}" is not a field path (keys joined by ".", a key may end in "[]")`);
    return { key: match[1], eachElement: match[2] !== undefined };
  });
}

/** `data` with the value at each of `paths` replaced by `replace(value)`; copies only what changes. */
export function mapFields(data: JsonObject, paths: readonly FieldPath[], replace: (value: JsonValue) => JsonValue): JsonObject {
  let result = data;
  for (const path of paths) result = mapObjectAt(result, path, 0, replace);
  return result;
}

/** Whether any of `paths` holds a value in `data`. */
export function hasFields(data: JsonObject, paths: readonly FieldPath[]): boolean {
  let found = false;
  // The identity replacement copies nothing; it only reports that a value was reached.
  mapFields(data, paths, (value) => {
    found = true;
    return value;
  });
  return found;
}

function mapObjectAt(
  object: { [key: string]: JsonValue },
  path: FieldPath,
  index: number,
  replace: (value: JsonValue) => JsonValue,
): { [key: string]: JsonValue } {
  const { key, eachElement } = path[index];
  if (!Object.hasOwn(object, key) || object[key] === undefined) return object;
  const value = object[key];
  const mapped = eachElement
    ? Array.isArray(value)
      ? mapArray(value, (element) => mapValueAt(element, path, index + 1, replace))
      : value
    : mapValueAt(value, path, index + 1, replace);
  return mapped === value ? object : { ...object, [key]: mapped };
}

function mapValueAt(value: JsonValue, path: FieldPath, index: number, replace: (value: JsonValue) => JsonValue): JsonValue {
  if (index === path.length) return replace(value);
  return isPlainObject(value) ? mapObjectAt(value, path, index, replace) : value;
}

function mapArray(array: JsonValue[], map: (element: JsonValue) => JsonValue): JsonValue[] {
  const mapped = array.map(map);
  return mapped.some((element, i) => element !== array[i]) ? mapped : array;
}
