import type { JsonValue } from '#event-store';
import { validationProblem, type ProblemException } from '#http';

/**
 * Opaque keyset cursors: where a page ended (its last row's sort key), as base64url JSON. Opaque so
 * that clients pass them back as is; each listing decides what its key holds and checks it on the
 * way back, since a cursor is client input like any other.
 */

/** The cursor a listing hands out as `nextCursor` for the page ending at `key`. */
export function encodeCursor(key: JsonValue): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key `cursor` carries, as `read` makes it from the decoded JSON; `read` throws
 * {@link invalidCursor} for a shape the listing never hands out. A cursor that is not base64url
 * JSON at all is refused here.
 */
export function decodeCursor<K>(cursor: string, read: (json: unknown) => K): K {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('not base64url JSON');
  }
  return read(json);
}

/** A cursor the listing did not hand out: a 400 naming the `cursor` parameter, saying `reason`. */
export function invalidCursor(reason: string): ProblemException {
  return validationProblem([{ field: 'cursor', message: `cursor is not valid (${reason}); pass nextCursor of the previous page as is` }]);
}
