import { createHash } from 'node:crypto';
import type { Position } from './position.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Who and what caused an event; set by the command side. */
export interface EventMetadataInput {
  /** API key name or service that sent the command. */
  readonly actor: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
}

export interface EventMetadata extends EventMetadataInput {
  /** When the store recorded the event (the store's clock, not the caller's). */
  readonly recordedAt: Date;
}

/** An event to append. */
export interface NewEvent<D extends JsonObject = JsonObject> {
  /** Unique; derive it from the command id ({@link eventIdFor}) so a retried command appends nothing. */
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: D;
  readonly metadata: EventMetadataInput;
}

/** An event as read back from the log. */
export interface RecordedEvent<D extends JsonObject = JsonObject> {
  readonly id: string;
  readonly streamId: string;
  /** 0-based place in its stream. */
  readonly revision: number;
  readonly position: Position;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: D;
  readonly metadata: EventMetadata;
}

// Fixed namespace for event ids (UUID v5): the same command id always yields the same event ids.
const EVENT_ID_NAMESPACE = Buffer.from('6f0c4bde8f1a4f0e9a53c1f0e2d7b8a4', 'hex');

/** The id of the `index`-th event produced by a command: stable across retries. */
export function eventIdFor(commandId: string, index = 0): string {
  return uuidFromDigest(createHash('sha1').update(EVENT_ID_NAMESPACE).update(`${commandId}#${index}`).digest(), 5);
}

/**
 * A name-based UUID: the first 16 bytes of a hash of the name, with the version nibble and the
 * RFC 4122 variant bits set. The same name always gives the same id (event, command, delivery ids).
 */
export function uuidFromDigest(digest: Buffer, version: 5 | 8): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | (version << 4);
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
