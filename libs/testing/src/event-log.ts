import { parsePosition, type EventStore, type RecordedEvent } from '#event-store';

/** Every event in the log, page by page. */
export async function wholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let from = parsePosition('0-0'); ; ) {
    const page = await store.readAll({ from, limit: 1_000 });
    if (page.events.length === 0) return events;
    events.push(...page.events);
    from = page.next;
  }
}

/** The events of `type` in `stream`. */
export async function eventsOf(store: EventStore, stream: string, type: string): Promise<RecordedEvent[]> {
  return (await store.readStream(stream)).filter((event) => event.type === type);
}
