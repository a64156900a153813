import { inForceOn } from './in-force.js';

describe('inForceOn', () => {
  const january = { id: 'jan', effectiveFrom: '2026-01-01' };
  const february = { id: 'feb', effectiveFrom: '2026-02-01' };
  const march = { id: 'mar', effectiveFrom: '2026-03-01' };

  it('takes the latest effectiveFrom on or before the date, whatever order the entries came in', () => {
    const entries = [january, march, february];
    expect(inForceOn(entries, '2025-12-31')).toBeUndefined();
    expect(inForceOn(entries, '2026-01-01')).toBe(january);
    expect(inForceOn(entries, '2026-02-28')).toBe(february);
    expect(inForceOn(entries, '2026-03-01')).toBe(march);
    expect(inForceOn(entries, '2026-12-31')).toBe(march);
    expect(inForceOn([march, january], '2026-02-15')).toBe(january);
  });

  it('of two entries with one date, takes the one seen last', () => {
    const again = { id: 'jan-2', effectiveFrom: '2026-01-01' };
    expect(inForceOn([january, again], '2026-01-10')).toBe(again);
    expect(inForceOn([again, january], '2026-01-10')).toBe(january);
  });
});
