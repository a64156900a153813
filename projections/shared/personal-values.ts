/**
 * Personal (or optional) values as read-model columns. An erased customer's personal fields read
 * `{"$erased": true}` instead of their value, so a column takes a value only when it is a string.
 */
export function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The readable ones of a list of personal values (an erased tag reads `{"$erased": true}`). */
export function textsOf(values: readonly unknown[]): string[] {
  return values.filter((value) => typeof value === 'string');
}
