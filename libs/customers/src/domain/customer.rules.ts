import type { Changes } from './customer.events.js';

// Input and state helpers more than one part of the customer decider uses.

/** `undefined` stays (not given), `null` stays (clear), anything else is checked by `check`. */
export function clearable<T>(value: unknown, check: (value: unknown) => T | null): T | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return check(value);
}

export function mergeFields<T extends object>(current: T, changes: Changes<T>): T {
  const merged = { ...current } as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged as T;
}
