import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { JsonValue } from '../event.js';

/**
 * A personal value as stored in the log: it replaces the plaintext JSON value in the event data.
 * `$pd` holds `v1.<key generation>.<iv>.<auth tag>.<ciphertext>` (base64 parts) under the event's
 * own stream's key, or `v2.<key generation>.<key stream>.<iv>.<auth tag>.<ciphertext>` under the key
 * of another stream (the person the event is about); the plaintext is the JSON text of the original
 * value, so any JSON type round-trips.
 */
export type EncryptedValue = { $pd: string };

/** One of a stream's data keys. A stream gets a new generation when it needs a key after an erase. */
export interface DataKey {
  readonly generation: number;
  /** 256-bit AES key. */
  readonly key: Buffer;
}

/** An encrypted value cannot be read although its key exists (or its key is unknown): tampered or corrupt. */
export class PersonalDataIntegrityError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PersonalDataIntegrityError';
  }
}

const OWN_KEY = 'v1';
const OTHER_KEY = 'v2';
const ALGORITHM = 'aes-256-gcm';
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The parts of an envelope; which key it needs is known before anything is decrypted. */
export interface ParsedEnvelope {
  readonly generation: number;
  /** The stream whose key it is under; absent: the event's own. */
  readonly keyStream?: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** Encrypts under `keyStream`'s key `dataKey`, for an event of `streamId` (by default its own). */
export function encryptValue(value: JsonValue, dataKey: DataKey, streamId: string, keyStream: string = streamId): EncryptedValue {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, dataKey.key, iv, { authTagLength: TAG_BYTES });
  const foreign = keyStream === streamId ? undefined : keyStream;
  cipher.setAAD(associatedData(dataKey.generation, streamId, foreign));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'));
  const head = foreign === undefined ? [OWN_KEY, String(dataKey.generation)] : [OTHER_KEY, String(dataKey.generation), Buffer.from(foreign).toString('base64url')];
  return { $pd: [...head, ...parts].join('.') };
}

export function parseEnvelope(envelope: string): ParsedEnvelope {
  const parts = envelope.split('.');
  const foreign = parts[0] === OTHER_KEY;
  const [format, generation, ...rest] = parts;
  const keyStream = foreign ? rest.shift() : undefined;
  const [iv, tag, ciphertext] = rest;
  const wellFormed =
    parts.length === (foreign ? 6 : 5) &&
    (format === OWN_KEY || foreign) &&
    /^[1-9]\d{0,8}$/.test(generation) &&
    (keyStream === undefined || /^[A-Za-z0-9_-]+$/.test(keyStream)) &&
    [iv, tag, ciphertext].every((p) => BASE64.test(p));
  if (!wellFormed) {
    throw new PersonalDataIntegrityError(
      `malformed encrypted value (expected ${OWN_KEY}.<generation>.<iv>.<tag>.<ciphertext> or ${OTHER_KEY}.<generation>.<key stream>.<iv>.<tag>.<ciphertext>)`,
    );
  }
  const parsed = {
    generation: Number(generation),
    keyStream: keyStream === undefined ? undefined : Buffer.from(keyStream, 'base64url').toString('utf8'),
    iv: Buffer.from(iv, 'base64'),
    tag: Buffer.from(tag, 'base64'),
    ciphertext: Buffer.from(ciphertext, 'base64'),
  };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) {
    throw new PersonalDataIntegrityError('malformed encrypted value: wrong IV or auth tag length');
  }
  return parsed;
}

/** Throws {@link PersonalDataIntegrityError} when the value was altered, moved from another stream, or `key` is not its key. */
export function decryptValue(envelope: ParsedEnvelope, key: Buffer, streamId: string): JsonValue {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(envelope.generation, streamId, envelope.keyStream));
    decipher.setAuthTag(envelope.tag);
    const plaintext = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]);
    return JSON.parse(plaintext.toString('utf8')) as JsonValue;
  } catch (error) {
    const reason = 'tampered, copied from another stream, or under another key';
    throw new PersonalDataIntegrityError(`encrypted value fails authentication: ${reason}`, { cause: error });
  }
}

export function isEncryptedValue(value: JsonValue | undefined): value is EncryptedValue {
  return isPlainObject(value) && typeof value.$pd === 'string' && Object.keys(value).length === 1;
}

/** Whether an encrypted value occurs anywhere in `value`. */
export function containsEncryptedValue(value: JsonValue): boolean {
  if (isEncryptedValue(value)) return true;
  if (Array.isArray(value)) return value.some(containsEncryptedValue);
  return isPlainObject(value) && Object.values(value).some(containsEncryptedValue);
}

/** The envelope of every encrypted value in `value`. */
export function envelopesIn(value: JsonValue, found: string[] = []): string[] {
  if (isEncryptedValue(value)) found.push(value.$pd);
  else if (Array.isArray(value)) for (const item of value) envelopesIn(item, found);
  else if (isPlainObject(value)) for (const item of Object.values(value)) envelopesIn(item, found);
  return found;
}

/** `value` with every encrypted value replaced by `replace(envelope)`; unchanged parts keep their identity. */
export function mapEncryptedValues(value: JsonValue, replace: (envelope: string) => JsonValue): JsonValue {
  if (isEncryptedValue(value)) return replace(value.$pd);
  if (Array.isArray(value)) {
    const mapped = value.map((item) => mapEncryptedValues(item, replace));
    return mapped.some((item, i) => item !== value[i]) ? mapped : value;
  }
  if (!isPlainObject(value)) return value;
  let copy: { [key: string]: JsonValue } | undefined;
  for (const [key, item] of Object.entries(value)) {
    const mapped = mapEncryptedValues(item, replace);
    if (mapped !== item) (copy ??= { ...value })[key] = mapped;
  }
  return copy ?? value;
}

export function isPlainObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Binds a ciphertext to its stream, key and key generation: moved elsewhere, it fails authentication. */
function associatedData(generation: number, streamId: string, keyStream: string | undefined): Buffer {
  const bound = keyStream === undefined ? `${OWN_KEY}|${generation}|${streamId}` : `${OTHER_KEY}|${generation}|${keyStream}|${streamId}`;
  return Buffer.from(bound, 'utf8');
}
