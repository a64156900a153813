import { addBusinessMs, businessMsBetween, checkCalendar, readClock, resolutionClock, type BusinessCalendar, type TicketEvent } from './index.js';

const HOUR = 3_600_000;
const t = (iso: string) => Date.parse(iso);

/** Berlin office hours with a lunch break; Wednesday 11 March 2026 a holiday. */
const berlin: BusinessCalendar = checkCalendar({
  timeZone: 'Europe/Berlin',
  week: Object.fromEntries(
    ([1, 2, 3, 4, 5] as const).map((day) => [day, [{ from: '09:00', to: '12:00' }, { from: '13:00', to: '17:00' }]]),
  ),
  holidays: ['2026-03-11'],
});

describe('business hours', () => {
  it('counts only the open blocks of open days, in the calendar’s zone', () => {
    // Friday 6 March, 15:30-17:00 Berlin (UTC+1), then Monday 9:00-10:00.
    expect(businessMsBetween(berlin, t('2026-03-06T14:30:00Z'), t('2026-03-09T09:00:00Z'))).toBe(2.5 * HOUR);
    // Lunch does not count; a holiday does not count.
    expect(businessMsBetween(berlin, t('2026-03-10T10:00:00Z'), t('2026-03-10T13:00:00Z'))).toBe(2 * HOUR);
    expect(businessMsBetween(berlin, t('2026-03-11T07:00:00Z'), t('2026-03-11T17:00:00Z'))).toBe(0);
    expect(businessMsBetween(berlin, t('2026-03-09T09:00:00Z'), t('2026-03-09T08:00:00Z'))).toBe(0);
  });

  it('follows the zone across a daylight-saving change', () => {
    // Summer time begins on Sunday 29 March 2026: Friday 16:00 is 15:00Z, Monday 10:00 is 08:00Z.
    expect(businessMsBetween(berlin, t('2026-03-27T15:00:00Z'), t('2026-03-30T08:00:00Z'))).toBe(2 * HOUR);
    expect(addBusinessMs(berlin, t('2026-03-27T15:00:00Z'), 1.5 * HOUR)).toBe(t('2026-03-30T07:30:00Z'));
  });

  it('adds business time, skipping nights, lunches, weekends and holidays', () => {
    expect(addBusinessMs(berlin, t('2026-03-06T14:30:00Z'), HOUR)).toBe(t('2026-03-06T15:30:00Z'));
    expect(addBusinessMs(berlin, t('2026-03-06T14:30:00Z'), 2 * HOUR)).toBe(t('2026-03-09T08:30:00Z'));
    expect(addBusinessMs(berlin, t('2026-03-10T10:30:00Z'), HOUR)).toBe(t('2026-03-10T12:30:00Z'));
    // From Tuesday's closing: Wednesday is a holiday, Thursday opens at 9:00.
    expect(addBusinessMs(berlin, t('2026-03-10T16:00:00Z'), HOUR)).toBe(t('2026-03-12T09:00:00Z'));
  });

  it('refuses a calendar that is not one, and one never open', () => {
    expect(() => checkCalendar({ ...berlin, timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => checkCalendar({ ...berlin, week: { 1: [{ from: '17:00', to: '09:00' }] } })).toThrow(/empty, or overlaps/);
    expect(() => checkCalendar({ ...berlin, week: { 1: [{ from: '09:00', to: '12:00' }, { from: '11:00', to: '13:00' }] } })).toThrow(/overlaps/);
    expect(() => checkCalendar({ ...berlin, week: { 1: [{ from: '9am', to: '12:00' }] } })).toThrow(/HH:MM/);
    expect(() => addBusinessMs({ timeZone: 'UTC', week: {}, holidays: [] }, t('2026-03-06T00:00:00Z'), HOUR)).toThrow(/not open/);
  });
});

describe('the resolution clock of a ticket', () => {
  const customerId = 'c-1';
  // Friday afternoon, 15:30 in Berlin: the clock runs 1.5 h on Friday and 1 h on Monday, then waits
  // on the customer; it runs again from Tuesday 14:00 (3 h that day); Wednesday is a holiday.
  const history: TicketEvent[] = [
    { type: 'TicketOpened', data: { customerId, trackingNumber: 'CS-2026-000001', channel: 'phone', category: 'complaint', priority: 'high', subject: 's', openedAt: '2026-03-06T14:30:00.000Z' } },
    { type: 'TicketPutOnHold', data: { customerId, heldAt: '2026-03-09T09:00:00.000Z' } },
    { type: 'TicketResumed', data: { customerId, by: 'customer_replied', resumedAt: '2026-03-10T13:00:00.000Z' } },
  ];
  const target = 8 * HOUR;

  it('breaches an 8-business-hour target on Thursday 12 March at 11:30 Berlin time, as worked out by hand', () => {
    const spans = resolutionClock(history);
    expect(spans).toEqual([{ from: t('2026-03-06T14:30:00Z'), to: t('2026-03-09T09:00:00Z') }, { from: t('2026-03-10T13:00:00Z') }]);
    const tuesdayEvening = readClock(berlin, spans, target, t('2026-03-10T18:00:00Z'));
    expect(tuesdayEvening).toEqual({ elapsedMs: 5.5 * HOUR, dueAt: t('2026-03-12T10:30:00Z'), breached: false });
    expect(readClock(berlin, spans, target, t('2026-03-12T10:30:00Z')).breached).toBe(true);
    expect(readClock(berlin, spans, target, t('2026-03-12T10:29:59Z')).breached).toBe(false);
  });

  it('has no deadline while it waits on the customer, and keeps a breach after the resolution', () => {
    const waiting = readClock(berlin, resolutionClock(history.slice(0, 2)), target, t('2026-03-20T12:00:00Z'));
    expect(waiting).toEqual({ elapsedMs: 2.5 * HOUR, dueAt: null, breached: false });
    const resolvedLate = resolutionClock([...history, { type: 'TicketResolved', data: { customerId, resolutionCode: 'fixed', resolvedAt: '2026-03-13T09:00:00.000Z' } }]);
    expect(readClock(berlin, resolvedLate, target, t('2026-04-01T00:00:00Z'))).toMatchObject({ dueAt: t('2026-03-12T10:30:00Z'), breached: true });
  });

  it('runs again after a reopening', () => {
    const reopened = resolutionClock([
      history[0],
      { type: 'TicketResolved', data: { customerId, resolutionCode: 'fixed', resolvedAt: '2026-03-06T15:30:00.000Z' } },
      { type: 'TicketReopened', data: { customerId, reopenedAt: '2026-03-09T08:00:00.000Z' } },
    ]);
    expect(reopened).toEqual([{ from: t('2026-03-06T14:30:00Z'), to: t('2026-03-06T15:30:00Z') }, { from: t('2026-03-09T08:00:00Z') }]);
    expect(readClock(berlin, reopened, 2 * HOUR, t('2026-03-09T08:30:00Z')).elapsedMs).toBe(1.5 * HOUR);
  });
});
