import type { EventStore } from '../event-store.port.js';
import type { JsonObject, JsonValue, NewEvent, RecordedEvent } from '../event.js';
import { TransformingEventStore } from '../transforming-event-store.js';
import {
  PersonalDataIntegrityError,
  containsEncryptedValue,
  decryptValue,
  encryptValue,
  envelopesIn,
  mapEncryptedValues,
  parseEnvelope,
  type DataKey,
} from './cipher.js';
import { StreamErasedError } from '../errors.js';
import type { DataKeyStore, StreamKeys } from './data-key-store.js';
import { ERASED } from './erased.js';
import { hasFields, mapFields, type PersonalDataPolicy } from './policy.js';

/**
 * Encrypts the personal fields of events on append, each stream under its own data key, and
 * decrypts them on read; erasing a stream's key leaves its events in the log but their personal
 * values unreadable ({@link ERASED}). Wrap it directly around the adapter, inside upcasting, so
 * upcasters see plaintext (and must accept ERASED where a personal value was).
 */
export class PersonalDataEventStore extends TransformingEventStore {
  constructor(
    inner: EventStore,
    private readonly keys: DataKeyStore,
    private readonly policy: PersonalDataPolicy,
  ) {
    super(inner);
  }

  /** Erases the personal data of a stream (a person) for good; `false` when there was nothing to erase. */
  erase(streamId: string): Promise<boolean> {
    return this.keys.erase(streamId);
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.keys.close()]);
  }

  protected override async beforeAppend(streamId: string, events: readonly NewEvent[]): Promise<readonly NewEvent[]> {
    // Reads decrypt every `$pd` value they find, so one smuggled in as plaintext would break them.
    if (events.some((event) => containsEncryptedValue(event.data))) {
      throw new TypeError(`append to ${streamId}: event data must not hold {"$pd": ...} values, the mark of encrypted personal data`);
    }
    if (this.policy.requireClassified) {
      for (const event of events) {
        const unclassified = this.policy.unclassifiedFields(event.type, event.data);
        if (unclassified.length > 0) {
          throw new TypeError(`append to ${streamId}: ${event.type} holds ${unclassified.join(', ')}, neither personal nor declared not personal in the personal-data policy`);
        }
      }
    }
    const personal = events.filter((event) => hasFields(event.data, this.policy.fieldsOf(event.type)));
    const keyStreams = new Map(personal.map((event) => [event, this.policy.keyStreamOf(event.type, event.data, streamId)]));
    const links = [
      ...events.flatMap((event) => this.policy.keyLinksOf(event.type, event.data, streamId)),
      ...[...new Set(keyStreams.values())].filter((keyStream) => keyStream !== streamId).map((subject) => ({ subject, linked: streamId, ownKey: false })),
    ];
    // Before the append: a link without its event erases a key too many on erasure, never too few.
    if (links.length > 0) await this.keys.link(links);
    if (personal.length === 0) return events;
    const keys = new Map<string, DataKey | null>();
    for (const keyStream of new Set(keyStreams.values())) keys.set(keyStream, await this.keyOf(keyStream, streamId));
    return events.map((event) => {
      const keyStream = keyStreams.get(event);
      if (keyStream === undefined) return event;
      const dataKey = keys.get(keyStream) ?? null;
      const data = mapFields(event.data, this.policy.fieldsOf(event.type), (value) =>
        dataKey === null ? { ...ERASED } : encryptValue(value, dataKey, streamId, keyStream),
      );
      return data === event.data ? event : { ...event, data };
    });
  }

  /**
   * The key to encrypt with; `null` when it is another stream's and that person was erased: their
   * data is then stored as already erased (a rep's task about them still completes). An erased
   * stream of the event's own refuses the append.
   */
  private async keyOf(keyStream: string, streamId: string): Promise<DataKey | null> {
    try {
      return await this.keys.keyFor(keyStream);
    } catch (error) {
      if (error instanceof StreamErasedError && keyStream !== streamId) return null;
      throw error;
    }
  }

  /** Decrypts by what is in the data, not by the policy; the keys of the whole page come in one query. */
  protected async afterRead(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const keyStreams = new Set<string>();
    const encrypted = events.filter((event) => {
      const envelopes = envelopesIn(event.data);
      for (const envelope of envelopes) keyStreams.add(keyStreamOf(envelope, event.streamId));
      return envelopes.length > 0;
    });
    if (encrypted.length === 0) return events;
    const keys = await this.keys.keysFor([...keyStreams]);
    const decrypted = new Set(encrypted);
    return events.map((event) => {
      if (!decrypted.has(event)) return event;
      // Still an object: the data's root is never an envelope, appends holding one are refused.
      const data = mapEncryptedValues(event.data, (envelope) => decrypt(envelope, event, keys)) as JsonObject;
      return data === event.data ? event : { ...event, data };
    });
  }
}

/** The stream whose key an envelope needs (a malformed one is reported when it is decrypted). */
function keyStreamOf(envelope: string, streamId: string): string {
  try {
    return parseEnvelope(envelope).keyStream ?? streamId;
  } catch {
    return streamId;
  }
}

function decrypt(envelope: string, event: RecordedEvent, keys: ReadonlyMap<string, StreamKeys>): JsonValue {
  try {
    const parsed = parseEnvelope(envelope);
    const key = keys.get(parsed.keyStream ?? event.streamId)?.get(parsed.generation);
    // A fresh copy per value: event data is the reader's to change.
    if (key === null) return { ...ERASED };
    // Not erased but missing: keys lost or the value altered. Reading it as erased would hide that.
    if (key === undefined) throw new PersonalDataIntegrityError(`no data key of generation ${parsed.generation} for ${parsed.keyStream ?? 'this stream'}`);
    return decryptValue(parsed, key, event.streamId);
  } catch (error) {
    if (!(error instanceof PersonalDataIntegrityError)) throw error;
    throw new PersonalDataIntegrityError(`event ${event.id} in ${event.streamId}: ${error.message}`, { cause: error.cause });
  }
}
