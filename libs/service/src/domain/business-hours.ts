/**
 * Business time: the hours of a calendar (a time zone, opening blocks per weekday, holidays) in
 * which SLA clocks run. Written on Intl rather than a date library because a context's domain
 * imports nothing but the kernel; Intl (built into the runtime) gives every zone's offsets.
 */

/** `HH:MM` local times, `from` before `to`; `24:00` ends a block at midnight. */
export interface OpeningBlock {
  readonly from: string;
  readonly to: string;
}

export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface BusinessCalendar {
  /** IANA zone, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** Blocks per ISO weekday (1 Monday ... 7 Sunday), ascending and apart; a missing day is closed. */
  readonly week: Readonly<Partial<Record<IsoWeekday, readonly OpeningBlock[]>>>;
  /** Local dates (`YYYY-MM-DD`) closed all day. */
  readonly holidays: readonly string[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** A calendar open less than this far ahead is taken as never open (no deadline can be computed). */
const MAX_SEARCH_DAYS = 3 * 366;

const TIME = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** Throws RangeError for a zone, block or holiday that is not one; returns the calendar. */
export function checkCalendar(calendar: BusinessCalendar): BusinessCalendar {
  formatterOf(calendar.timeZone);
  for (const [day, blocks] of Object.entries(calendar.week)) {
    if (!/^[1-7]$/.test(day)) throw new RangeError(`weekday ${day}: weekdays are 1 (Monday) to 7 (Sunday)`);
    let previousEnd = -1;
    for (const block of blocks ?? []) {
      const [from, to] = [minutesOf(block.from), minutesOf(block.to)];
      if (from >= to || from < previousEnd) throw new RangeError(`weekday ${day}: block ${block.from}-${block.to} is empty, or overlaps the one before`);
      previousEnd = to;
    }
  }
  for (const holiday of calendar.holidays) if (!/^\d{4}-\d{2}-\d{2}$/.test(holiday)) throw new RangeError(`holiday ${holiday}: not a YYYY-MM-DD date`);
  return calendar;
}

/** Business milliseconds between two instants (0 when `to` is not after `from`). */
export function businessMsBetween(calendar: BusinessCalendar, from: number, to: number): number {
  let total = 0;
  for (const [start, end] of openIntervals(calendar, from, to)) total += Math.min(end, to) - Math.max(start, from);
  return total;
}

/** The instant at which `ms` business milliseconds have passed since `from`. */
export function addBusinessMs(calendar: BusinessCalendar, from: number, ms: number): number {
  let left = ms;
  // Consumed up to here; intervals are looked up a month at a time.
  let cursor = from;
  for (let searched = 0; searched < MAX_SEARCH_DAYS; searched += 30) {
    const windowEnd = from + (searched + 30) * DAY_MS;
    for (const [start, end] of openIntervals(calendar, cursor, windowEnd)) {
      const open = Math.max(start, cursor);
      if (end <= open) continue;
      if (end - open >= left) return open + left;
      left -= end - open;
      cursor = end;
    }
    cursor = Math.max(cursor, windowEnd);
  }
  throw new RangeError(`the calendar is not open for ${ms} ms in the ${MAX_SEARCH_DAYS} days after ${new Date(from).toISOString()}`);
}

/** The calendar's open intervals (instants, ascending) overlapping [from, to). */
function openIntervals(calendar: BusinessCalendar, from: number, to: number): [number, number][] {
  const intervals: [number, number][] = [];
  if (to <= from) return intervals;
  const holidays = new Set(calendar.holidays);
  // Local dates from the day before `from` to the day after `to`: zone offsets are under a day.
  for (let day = localDate(from - DAY_MS, calendar.timeZone); day <= localDate(to + DAY_MS, calendar.timeZone); day = nextDate(day)) {
    if (holidays.has(day)) continue;
    for (const block of calendar.week[isoWeekday(day)] ?? []) {
      const start = zonedInstant(day, minutesOf(block.from), calendar.timeZone);
      const end = zonedInstant(day, minutesOf(block.to), calendar.timeZone);
      if (end > from && start < to) intervals.push([start, end]);
    }
  }
  return intervals;
}

function minutesOf(time: string): number {
  const match = TIME.exec(time);
  if (!match || (match[1] === '24' && match[2] !== '00')) throw new RangeError(`${time} is not a HH:MM time`);
  return Number(match[1]) * 60 + Number(match[2]);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    } catch {
      throw new RangeError(`${timeZone} is not a time zone`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local wall-clock time of an instant, read as if it were UTC (milliseconds). */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatterOf(timeZone).formatToParts(instant).map((part) => [part.type, part.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

function localDate(instant: number, timeZone: string): string {
  return new Date(wallClock(instant, timeZone)).toISOString().slice(0, 10);
}

/** The instant of a local date and time; in a DST gap, the time after it; in an overlap, the first. */
function zonedInstant(date: string, minutes: number, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * MINUTE_MS;
  const first = wall - (wallClock(wall, timeZone) - wall);
  const offset = wallClock(first, timeZone) - first;
  return wall - offset;
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

function isoWeekday(date: string): IsoWeekday {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return (day === 0 ? 7 : day) as IsoWeekday;
}
