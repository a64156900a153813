import { createHash } from 'node:crypto';
import { validationProblem } from '#http';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const CORRELATION_ID_HEADER = 'X-Correlation-Id';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Printable ASCII, 1 to 255 characters: what Idempotency-Key and X-Correlation-Id accept. */
const TOKEN = /^[\x20-\x7e]{1,255}$/;

/** The header's value when valid; `undefined` when absent; a 400 problem naming the header otherwise. */
export function headerToken(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && TOKEN.test(value)) return value;
  throw validationProblem([{ field: name, message: `${name} must be 1 to 255 printable ASCII characters, sent once` }]);
}

/**
 * What makes two requests "the same" for an Idempotency-Key: method, path (with query) and body.
 * The body is compared as JSON values (object keys sorted), not as bytes: a client re-serialising
 * the same command differently is still retrying it.
 */
export function requestHash(method: string, url: string, body: unknown): Buffer {
  return createHash('sha256')
    .update(canonicalJson([method.toUpperCase(), url, body ?? null]))
    .digest();
}

/** JSON with object keys in sorted order at every depth. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    nested !== null && typeof nested === 'object' && !Array.isArray(nested)
      ? Object.fromEntries(Object.entries(nested).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : nested,
  );
}
