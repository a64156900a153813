import { addBusinessMs, businessMsBetween, type BusinessCalendar } from './business-hours.js';
import type { TicketEvent } from './ticket.events.js';

/** A stretch of time in which a clock runs: from an instant to another, or on (`to` absent). */
export interface RunningSpan {
  readonly from: number;
  readonly to?: number;
}

/**
 * When a ticket's resolution clock ran, from its history: from opening, paused while waiting on
 * the customer, stopped by the resolution, running again after a reopening. Computed from the
 * events every time (not a running counter), so a changed calendar or target recomputes exactly.
 */
export function resolutionClock(events: readonly TicketEvent[]): RunningSpan[] {
  const spans: RunningSpan[] = [];
  let runningSince: number | undefined;
  const start = (at: string) => (runningSince ??= Date.parse(at));
  const stop = (at: string) => {
    if (runningSince === undefined) return;
    spans.push({ from: runningSince, to: Date.parse(at) });
    runningSince = undefined;
  };
  for (const event of events) {
    switch (event.type) {
      case 'TicketOpened':
        start(event.data.openedAt);
        break;
      case 'TicketResumed':
        start(event.data.resumedAt);
        break;
      case 'TicketReopened':
        start(event.data.reopenedAt);
        break;
      case 'TicketPutOnHold':
        stop(event.data.heldAt);
        break;
      case 'TicketResolved':
        stop(event.data.resolvedAt);
        break;
      default:
        break;
    }
  }
  if (runningSince !== undefined) spans.push({ from: runningSince });
  return spans;
}

export interface ClockReading {
  /** Business milliseconds the clock ran until `now`. */
  readonly elapsedMs: number;
  /** The instant the target is (or was) reached, or `null` while paused short of it. */
  readonly dueAt: number | null;
  readonly breached: boolean;
}

/** A clock's elapsed business time at `now`, and when it reaches `targetMs` (or did). */
export function readClock(calendar: BusinessCalendar, spans: readonly RunningSpan[], targetMs: number, now: number): ClockReading {
  let elapsedMs = 0;
  let dueAt: number | null = null;
  for (const span of spans) {
    if (span.from >= now) break;
    const end = Math.min(span.to ?? now, now);
    const ran = businessMsBetween(calendar, span.from, end);
    // The target was reached inside this span: at the instant it ran out.
    if (dueAt === null && elapsedMs + ran >= targetMs) dueAt = addBusinessMs(calendar, span.from, targetMs - elapsedMs);
    elapsedMs += ran;
  }
  const running = spans.length > 0 && spans[spans.length - 1].to === undefined;
  if (dueAt === null && running) dueAt = addBusinessMs(calendar, now, targetMs - elapsedMs);
  return { elapsedMs, dueAt, breached: dueAt !== null && dueAt <= now };
}
