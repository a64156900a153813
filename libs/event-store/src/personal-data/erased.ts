import type { JsonValue } from '../event.js';
import { isPlainObject } from './cipher.js';

export type ErasedValue = { $erased: true };

/**
 * What a personal value reads as once its key was erased. An object rather than a string, so it
 * cannot be mistaken for a value a person typed; test for it with {@link isErased}.
 */
export const ERASED: Readonly<ErasedValue> = Object.freeze({ $erased: true });

export function isErased(value: JsonValue | undefined): value is ErasedValue {
  return isPlainObject(value) && value.$erased === true && Object.keys(value).length === 1;
}
