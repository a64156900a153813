import type { EventStore } from './event-store.port.js';
import type { JsonObject, RecordedEvent } from './event.js';
import { TransformingEventStore } from './transforming-event-store.js';

/** Turns the data of `type` at `fromVersion` into the data of version `fromVersion + 1`. */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(data: JsonObject): JsonObject;
}

/**
 * Old event versions are upcast on read, never rewritten in the log. Upcasters chain: v1 -> v2 -> v3.
 */
export class UpcasterRegistry {
  private readonly byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) this.register(upcaster);
  }

  register(upcaster: Upcaster): this {
    const key = `${upcaster.type}@${upcaster.fromVersion}`;
    if (this.byKey.has(key)) throw new Error(`two upcasters for ${upcaster.type} v${upcaster.fromVersion}`);
    this.byKey.set(key, upcaster);
    return this;
  }

  upcast<D extends JsonObject>(event: RecordedEvent<D>): RecordedEvent {
    let data: JsonObject = event.data;
    let version = event.schemaVersion;
    for (let next = this.byKey.get(`${event.type}@${version}`); next; next = this.byKey.get(`${event.type}@${version}`)) {
      data = next.upcast(data);
      version += 1;
    }
    return version === event.schemaVersion ? event : { ...event, data, schemaVersion: version };
  }
}

export class UpcastingEventStore extends TransformingEventStore {
  constructor(
    inner: EventStore,
    private readonly registry: UpcasterRegistry,
  ) {
    super(inner);
  }

  protected async afterRead(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    return events.map((event) => this.registry.upcast(event));
  }
}
