import type { JsonObject, JsonValue } from '../event.js';
import { isPlainObject } from './cipher.js';

/** One step of a field path: a key, and with `[]` every element of the array found there. */
interface PathSegment {
  readonly key: string;
  readonly eachElement: boolean;
}

/** A parsed field path, e.g. `contact.email` or `lines[].note`. */
export type FieldPath = readonly PathSegment[];

const SEGMENT = /^([^.[\]]+)(\[\])?$/;

/**
 * Which fields of which event types are personal. Paths are dot paths into nested objects
 * (`contact.email`); `[]` after a key addresses every element of that array (`lines[].note`,
 * `tags[]`). A declared field that is absent from an event is left alone.
 * Only the write side uses it: reads decrypt whatever is encrypted, so changing the policy never
 * makes old events unreadable.
 */
export class PersonalDataPolicy {
  private readonly byType = new Map<string, FieldPath[]>();

  constructor(fields: Readonly<Record<string, readonly string[]>> = {}) {
    for (const [type, paths] of Object.entries(fields)) this.register(type, paths);
  }

  register(eventType: string, paths: readonly string[]): this {
    if (this.byType.has(eventType)) throw new Error(`personal fields of ${eventType} declared twice`);
    const parsed = paths.map(parseFieldPath);
    // An outer and an inner path would encrypt the inner value twice; declare the outer one only.
    const keyPaths = parsed.map((path) => path.map((segment) => segment.key).join('.'));
    keyPaths.forEach((outer, i) => {
      const inner = keyPaths.find((other, j) => j !== i && (other === outer || other.startsWith(`${outer}.`)));
      if (inner !== undefined) throw new Error(`personal fields of ${eventType}: ${paths[i]} overlaps ${inner}`);
    });
    this.byType.set(eventType, parsed);
    return this;
  }

  fieldsOf(eventType: string): readonly FieldPath[] {
    return this.byType.get(eventType) ?? [];
  }
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
