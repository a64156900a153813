import { addDays, daysBetween, periodStart, utcDate } from './calendar.js';

describe('calendar periods (UTC)', () => {
  it('takes the UTC date of a time, whatever its zone', () => {
    expect(utcDate('2026-03-31T23:30:00-02:00')).toBe('2026-04-01');
    expect(utcDate('2026-04-01T00:30:00+02:00')).toBe('2026-03-31');
    expect(utcDate('2026-04-01T00:00:00.000Z')).toBe('2026-04-01');
    expect(() => utcDate('yesterday')).toThrow(RangeError);
  });

  it('starts days, months, quarters and years', () => {
    expect((['day', 'month', 'quarter', 'year'] as const).map((kind) => periodStart(kind, '2026-05-17'))).toEqual([
      '2026-05-17',
      '2026-05-01',
      '2026-04-01',
      '2026-01-01',
    ]);
    expect(periodStart('quarter', '2026-03-31')).toBe('2026-01-01');
    expect(periodStart('quarter', '2026-10-01')).toBe('2026-10-01');
    expect(periodStart('quarter', '2026-12-31')).toBe('2026-10-01');
    expect(periodStart('quarter', '2026-07-15')).toBe('2026-07-01');
    expect(periodStart('month', '2026-02-17')).toBe('2026-02-01');
    expect(() => periodStart('month', '2026-2-17')).toThrow(RangeError);
  });

  it('starts ISO weeks on Monday', () => {
    // 2026-02-17 is a Tuesday; 2026-02-22 a Sunday; 2026-02-23 a Monday.
    expect(periodStart('week', '2026-02-17')).toBe('2026-02-16');
    expect(periodStart('week', '2026-02-22')).toBe('2026-02-16');
    expect(periodStart('week', '2026-02-23')).toBe('2026-02-23');
    expect(periodStart('week', '2026-01-01')).toBe('2025-12-29');
  });

  it('counts days', () => {
    expect(addDays('2025-12-29', 7)).toBe('2026-01-05');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-01-01', '2026-12-31')).toBe(364);
    expect(daysBetween('2026-01-02', '2026-01-01')).toBe(-1);
  });
});
