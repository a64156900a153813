import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { JsonValue } from '../event.js';

/**
 * A personal value as stored in the log: it replaces the plaintext JSON value in the event data.
 * `$pd` holds `v1.<key generation>.<iv>.<auth tag>.<ciphertext>` (base64 parts); the plaintext is
 * the JSON text of the original value, so any JSON type round-trips.
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

const FORMAT = 'v1';
const ALGORITHM = 'aes-256-gcm';
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The parts of an envelope; which key it needs is known before anything is decrypted. */
export interface ParsedEnvelope {
  readonly generation: number;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

export function encryptValue(value: JsonValue, dataKey: DataKey, streamId: string): EncryptedValue {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, dataKey.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(dataKey.generation, streamId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'));
  return { $pd: [FORMAT, String(dataKey.generation), ...parts].join('.') };
}

export function parseEnvelope(envelope: string): ParsedEnvelope {
  const parts = envelope.split('.');
  const [format, generation, iv, tag, ciphertext] = parts;
  const wellFormed =
    parts.length === 5 && format === FORMAT && /^[1-9]\d{0,8}$/.test(generation) && [iv, tag, ciphertext].every((p) => BASE64.test(p));
  if (!wellFormed) {
    throw new PersonalDataIntegrityError(`malformed encrypted value (expected ${FORMAT}.<generation>.<iv>.<tag>.<ciphertext>)`);
  }
  const parsed = {
    generation: Number(generation),
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
    decipher.setAAD(associatedData(envelope.generation, streamId));
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

/** Binds a ciphertext to its stream and key generation: moved elsewhere, it fails authentication. */
function associatedData(generation: number, streamId: string): Buffer {
  return Buffer.from(`${FORMAT}|${generation}|${streamId}`, 'utf8');
}
