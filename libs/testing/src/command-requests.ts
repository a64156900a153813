import { randomUUID } from 'node:crypto';

/**
 * What the HTTP tests of commands send: fresh ids, bodies made from valid ones, and the bad ids
 * every route with an id in its path must refuse.
 */

/** A request body (JSON object). */
export type Body = Record<string, unknown>;

/** A fresh id, safe in a path and a stream name. */
export function newId(prefix = 'c'): string {
  return `${prefix}-${randomUUID()}`;
}

/** `body` without the named top-level fields. */
export function omit(body: Body, ...keys: string[]): Body {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !keys.includes(key)));
}

/** Ids a path must not take: what is wrong with each, and the id. */
export const BAD_IDS = [
  ['with spaces', ' bad id'],
  ['of 100 characters', 'x'.repeat(100)],
  ['starting with a dot', '.hidden'],
] as const;
