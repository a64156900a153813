import { InvalidPositionError, START, comparePositions, parsePosition, serializePosition } from './position.js';

describe('log positions', () => {
  it('order by major, then minor', () => {
    expect(comparePositions({ major: 1n, minor: 9n }, { major: 2n, minor: 0n })).toBe(-1);
    expect(comparePositions({ major: 2n, minor: 3n }, { major: 2n, minor: 1n })).toBe(1);
    expect(comparePositions({ major: 2n, minor: 3n }, { major: 2n, minor: 3n })).toBe(0);
    expect(comparePositions(START, { major: 0n, minor: 1n })).toBe(-1);
  });

  it('survive a round trip through their text form, beyond 2^53', () => {
    const position = { major: 18_446_744_073_709_551_615n, minor: 9_007_199_254_740_993n };
    const text = serializePosition(position);
    expect(text).toBe('18446744073709551615-9007199254740993');
    expect(comparePositions(parsePosition(text), position)).toBe(0);
  });

  it.each(['', 'abc', '1', '1-', '-1-2', '1-2-3', '1.5-2', '123456789012345678901-1'])('reject %j', (text) => {
    expect(() => parsePosition(text)).toThrow(InvalidPositionError);
  });
});
