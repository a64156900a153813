/**
 * A place in the whole log. Opaque to callers (serialise it, compare it), but totally ordered:
 * `major` first, then `minor`. The PostgreSQL store uses (transaction id, sequence); EventStoreDB
 * uses (commit, prepare) positions.
 */
export interface Position {
  readonly major: bigint;
  readonly minor: bigint;
}

/** Before the first event: reading from here delivers the whole log. */
export const START: Position = Object.freeze({ major: 0n, minor: 0n });

export function comparePositions(a: Position, b: Position): -1 | 0 | 1 {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  return 0;
}

export function serializePosition(position: Position): string {
  return `${position.major}-${position.minor}`;
}

const SERIALIZED = /^(\d{1,20})-(\d{1,20})$/;

export class InvalidPositionError extends Error {
  constructor(readonly value: string) {
    super(`"${value}" is not a log position (expected "<major>-<minor>", as returned by a command)`);
    this.name = 'InvalidPositionError';
  }
}

export function parsePosition(value: string): Position {
  const match = SERIALIZED.exec(value.trim());
  if (!match) throw new InvalidPositionError(value);
  return { major: BigInt(match[1]), minor: BigInt(match[2]) };
}
