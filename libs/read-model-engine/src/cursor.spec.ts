import { PROBLEM_TYPES, ProblemException } from '#http';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.js';

/** A reader for keys `[day, id]` of two strings. */
function readPair(json: unknown): { day: string; id: string } {
  if (!Array.isArray(json) || json.length !== 2) throw invalidCursor('not a pair cursor');
  const [day, id]: unknown[] = json;
  if (typeof day !== 'string' || typeof id !== 'string') throw invalidCursor('bad position');
  return { day, id };
}

/** The problem `act` throws. */
function problemOf(act: () => unknown) {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return (error as ProblemException).problem;
  }
  throw new Error('nothing thrown');
}

describe('keyset cursors', () => {
  it('encode a key as base64url JSON and decode it back through the reader', () => {
    const cursor = encodeCursor(['2026-03-01', 'é/+?&=']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toBe('["2026-03-01","é/+?&="]');
    expect(decodeCursor(cursor, readPair)).toEqual({ day: '2026-03-01', id: 'é/+?&=' });
  });

  it('carry objects and numbers as well', () => {
    const key = { at: '2026-03-01T00:00:00.000000Z', n: 42, flags: [true, null] };
    expect(decodeCursor(encodeCursor(key), (json) => json)).toEqual(key);
  });

  it.each(['garbage', 'Zm9v', '', encodeCursor('x').slice(1)])('refuse %j, not base64url JSON, without asking the reader', (cursor) => {
    const read: unknown[] = [];
    expect(problemOf(() => decodeCursor(cursor, (json) => read.push(json)))).toEqual({
      type: PROBLEM_TYPES.validationFailed,
      title: 'Invalid request',
      status: 400,
      detail: 'cursor: cursor is not valid (not base64url JSON); pass nextCursor of the previous page as is',
      errors: [{ field: 'cursor', message: 'cursor is not valid (not base64url JSON); pass nextCursor of the previous page as is' }],
    });
    expect(read).toEqual([]);
  });

  it.each([
    [encodeCursor(['2026-03-01']), 'not a pair cursor'],
    [encodeCursor({ day: '2026-03-01', id: 'a' }), 'not a pair cursor'],
    [encodeCursor(['2026-03-01', 7]), 'bad position'],
  ])('refuse a key of the wrong shape with the reader’s reason (%s)', (cursor, reason) => {
    expect(problemOf(() => decodeCursor(cursor, readPair))).toMatchObject({
      status: 400,
      errors: [{ field: 'cursor', message: `cursor is not valid (${reason}); pass nextCursor of the previous page as is` }],
    });
  });
});
