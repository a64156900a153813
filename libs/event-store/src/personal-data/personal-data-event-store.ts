import type { EventStore } from '../event-store.port.js';
import type { JsonObject, JsonValue, NewEvent, RecordedEvent } from '../event.js';
import { TransformingEventStore } from '../transforming-event-store.js';
import {
  PersonalDataIntegrityError,
  containsEncryptedValue,
  decryptValue,
  encryptValue,
  isPlainObject,
  mapEncryptedValues,
  parseEnvelope,
} from './cipher.js';
import type { DataKeyStore, StreamKeys } from './data-key-store.js';
import { hasFields, mapFields, type PersonalDataPolicy } from './policy.js';

export type ErasedValue = { $erased: true };

/**
 * What a personal value reads as once its stream's key was erased. An object rather than a string,
 * so it cannot be mistaken for a value a person typed; test for it with {@link isErased}.
 */
export const ERASED: Readonly<ErasedValue> = Object.freeze({ $erased: true });

export function isErased(value: JsonValue | undefined): value is ErasedValue {
  return isPlainObject(value) && value.$erased === true && Object.keys(value).length === 1;
}

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
    if (!events.some((event) => hasFields(event.data, this.policy.fieldsOf(event.type)))) return events;
    const dataKey = await this.keys.keyFor(streamId);
    return events.map((event) => {
      const data = mapFields(event.data, this.policy.fieldsOf(event.type), (value) => encryptValue(value, dataKey, streamId));
      return data === event.data ? event : { ...event, data };
    });
  }

  /** Decrypts by what is in the data, not by the policy; the keys of the whole page come in one query. */
  protected async afterRead(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const streams = new Set(events.filter((event) => containsEncryptedValue(event.data)).map((event) => event.streamId));
    if (streams.size === 0) return events;
    const keys = await this.keys.keysFor([...streams]);
    return events.map((event) => {
      if (!streams.has(event.streamId)) return event;
      // Still an object: the data's root is never an envelope, appends holding one are refused.
      const data = mapEncryptedValues(event.data, (envelope) => decrypt(envelope, event, keys.get(event.streamId))) as JsonObject;
      return data === event.data ? event : { ...event, data };
    });
  }
}

function decrypt(envelope: string, event: RecordedEvent, streamKeys: StreamKeys | undefined): JsonValue {
  try {
    const parsed = parseEnvelope(envelope);
    const key = streamKeys?.get(parsed.generation);
    // A fresh copy per value: event data is the reader's to change.
    if (key === null) return { ...ERASED };
    // Not erased but missing: keys lost or the value altered. Reading it as erased would hide that.
    if (key === undefined) throw new PersonalDataIntegrityError(`no data key of generation ${parsed.generation} for this stream`);
    return decryptValue(parsed, key, event.streamId);
  } catch (error) {
    if (!(error instanceof PersonalDataIntegrityError)) throw error;
    throw new PersonalDataIntegrityError(`event ${event.id} in ${event.streamId}: ${error.message}`, { cause: error.cause });
  }
}
