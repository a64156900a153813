import { storableText } from './storable-text.js';

const LONE_HIGH = '\ud800';

describe('storable text (the read side)', () => {
  it('replaces NUL and lone surrogates with U+FFFD at any depth, keys included', () => {
    expect(storableText({ a: 'x\u0000y', b: [`${LONE_HIGH}z`, 1, null], ['k\u0000']: true, ok: '🙂' })).toEqual({
      a: 'x\uFFFDy',
      b: ['\uFFFDz', 1, null],
      ['k\uFFFD']: true,
      ok: '🙂',
    });
  });

  it('returns the very same value when nothing needs replacing', () => {
    const data = { a: 'plain', b: [{ c: 'line\nbreak' }] };
    expect(storableText(data)).toBe(data);
  });

  it('keeps a __proto__ key as data', () => {
    const data = JSON.parse('{"__proto__": "x\\u0000"}') as Record<string, unknown>;
    const safe = storableText(data);
    expect(Object.hasOwn(safe, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(safe)).toBe(Object.prototype);
  });
});
