import { isAsOf, parseAsOf, parseInstant, parseWholeNumber } from './as-of.js';

describe('reading audit moments', () => {
  it.each([
    ['2026-11-20T14:30:00Z', '2026-11-20T14:30:00.000Z'],
    ['2026-11-20T14:30:00.123Z', '2026-11-20T14:30:00.123Z'],
    ['2026-11-20T15:30:00+01:00', '2026-11-20T14:30:00.000Z'],
    ['2026-11-20T14:30Z', '2026-11-20T14:30:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('takes %s for an instant', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  it.each(['2026-11-20', '2026-11-20T14:30:00', '2026-02-30T00:00:00Z', '2025-02-29T00:00:00Z', 'yesterday', '', '1700000000000', 5, undefined])(
    'refuses %j as an instant',
    (value) => {
      expect(parseInstant(value)).toBeUndefined();
    },
  );

  it('takes plain decimal digits only for a whole number', () => {
    expect(parseWholeNumber('0')).toBe(0);
    expect(parseWholeNumber('42')).toBe(42);
    for (const value of ['-1', '1.5', '1e3', '0x10', ' 5', '', '1234567890123456', 3, ['1']]) expect(parseWholeNumber(value)).toBeUndefined();
  });

  it('reads asOf as a revision or an instant', () => {
    expect(parseAsOf('7')).toEqual({ revision: 7 });
    expect(parseAsOf('2026-11-20T14:30:00Z')).toEqual({ at: new Date('2026-11-20T14:30:00Z') });
    expect(parseAsOf('soon')).toBeUndefined();
    expect(isAsOf(parseAsOf('7'))).toBe(true);
    expect(isAsOf(parseAsOf('2026-11-20T14:30:00Z'))).toBe(true);
    for (const value of ['7', { revision: '7' }, { at: '2026-11-20T14:30:00Z' }, null, undefined]) expect(isAsOf(value)).toBe(false);
  });
});
