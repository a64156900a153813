import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  LogEntryPage,
  LogPage,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
} from './event-store.port.js';
import type { NewEvent, RecordedEvent } from './event.js';
import type { Position } from './position.js';
import { batched } from './batched.js';

const SUBSCRIPTION_PAGE = 500;

/**
 * An EventStore that changes events on their way in and out (upcasting, personal-data
 * encryption) and delegates everything else, so each such concern is written once for every adapter.
 */
export abstract class TransformingEventStore implements EventStore {
  constructor(protected readonly inner: EventStore) {}

  /** Events about to be appended to `streamId`. */
  protected async beforeAppend(_streamId: string, events: readonly NewEvent[]): Promise<readonly NewEvent[]> {
    return events;
  }

  /** Events read from the log, possibly from many streams (one call per page, for batching). */
  protected abstract afterRead(events: RecordedEvent[]): Promise<RecordedEvent[]>;

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(streamId, await this.beforeAppend(streamId, events), expected);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.afterRead(await this.inner.readStream(streamId, options));
  }

  streamRevision(streamId: string): Promise<number | null> {
    return this.inner.streamRevision(streamId);
  }

  async readAll(options?: ReadAllOptions): Promise<LogPage> {
    const page = await this.inner.readAll(options);
    return { events: await this.afterRead(page.events), next: page.next };
  }

  /** The stored form is what is verified: passed through untouched. */
  readLogEntries(options?: ReadAllOptions): Promise<LogEntryPage> {
    return this.inner.readLogEntries(options);
  }

  /** Transforms what the subscription has ready as one page: one key lookup per page, not per event. */
  async *subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent> {
    for await (const page of batched(this.inner.subscribeToAll(options), SUBSCRIPTION_PAGE)) {
      yield* await this.afterRead(page);
    }
  }

  headPosition(): Promise<Position | null> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
