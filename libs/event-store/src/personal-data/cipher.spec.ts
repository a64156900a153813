import { randomBytes } from 'node:crypto';
import type { JsonObject, JsonValue } from '../event.js';
import {
  PersonalDataIntegrityError,
  containsEncryptedValue,
  decryptValue,
  encryptValue,
  isEncryptedValue,
  mapEncryptedValues,
  parseEnvelope,
  type DataKey,
} from './cipher.js';

const dataKey: DataKey = { generation: 1, key: randomBytes(32) };
const stream = 'customer-42';

const roundTrip = (value: JsonValue, key = dataKey, streamId = stream) =>
  decryptValue(parseEnvelope(encryptValue(value, key, streamId).$pd), key.key, streamId);

/** The envelope with one of its base64 parts (1 iv, 2 tag, 3 ciphertext, after format and generation) altered. */
const withPart = (envelope: string, index: number, change: (part: Buffer) => Buffer) => {
  const parts = envelope.split('.');
  parts[index + 1] = change(Buffer.from(parts[index + 1], 'base64')).toString('base64');
  return parts.join('.');
};
const flipFirstBit = (part: Buffer) => {
  const copy = Buffer.from(part);
  copy[0] ^= 1;
  return copy;
};

describe('personal data cipher', () => {
  it.each<[string, JsonValue]>([
    ['a string', 'ada@example.com'],
    ['an empty string', ''],
    ['a number', 42.5],
    ['zero', 0],
    ['true', true],
    ['false', false],
    ['null', null],
    ['an array', [1, 'two', null, { three: 3 }]],
    ['an object', { street: 'Hauptstraße 1', city: 'Köln', geo: { lat: 50.9, lon: 6.9 } }],
    ['unicode text', 'Zoë Łukasz 山田太郎 🧑‍💼 \u0000 "quoted" \\ back'],
  ])('round-trips %s', (_label, value) => {
    expect(roundTrip(value)).toEqual(value);
  });

  it('stores no plaintext and draws a fresh IV for every value', () => {
    const first = encryptValue('ada@example.com', dataKey, stream);
    const second = encryptValue('ada@example.com', dataKey, stream);
    expect(first.$pd).not.toContain('ada');
    expect(first.$pd).toMatch(/^v1\.1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(first.$pd).not.toBe(second.$pd);
    expect(parseEnvelope(first.$pd).iv).toHaveLength(12);
  });

  it('fails for a value moved to another stream', () => {
    const moved = parseEnvelope(encryptValue('secret', dataKey, 'customer-1').$pd);
    expect(() => decryptValue(moved, dataKey.key, 'customer-2')).toThrow(PersonalDataIntegrityError);
  });

  it("encrypts under another stream's key, naming that stream, bound to both", () => {
    const envelope = encryptValue('Call Ada about the renewal', dataKey, 'rep-7', 'customer-42').$pd;
    expect(envelope).toMatch(/^v2\.1\.[A-Za-z0-9_-]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(envelope).not.toContain('Ada');
    const parsed = parseEnvelope(envelope);
    expect(parsed.keyStream).toBe('customer-42');
    expect(decryptValue(parsed, dataKey.key, 'rep-7')).toBe('Call Ada about the renewal');
    // Copied into another rep's stream, or its key stream altered: it fails.
    expect(() => decryptValue(parsed, dataKey.key, 'rep-8')).toThrow(PersonalDataIntegrityError);
    const otherKeyStream = envelope.replace(Buffer.from('customer-42').toString('base64url'), Buffer.from('customer-43').toString('base64url'));
    expect(() => decryptValue(parseEnvelope(otherKeyStream), dataKey.key, 'rep-7')).toThrow(PersonalDataIntegrityError);
    expect(parseEnvelope(encryptValue('x', dataKey, 'customer-42', 'customer-42').$pd).keyStream).toBeUndefined();
  });

  it('fails under another key', () => {
    const envelope = parseEnvelope(encryptValue('secret', dataKey, stream).$pd);
    expect(() => decryptValue(envelope, randomBytes(32), stream)).toThrow(PersonalDataIntegrityError);
  });

  it.each([
    ['the IV', 1],
    ['the auth tag', 2],
    ['the ciphertext', 3],
  ])('fails when %s was altered', (_label, index) => {
    const tampered = withPart(encryptValue({ name: 'Ada' }, dataKey, stream).$pd, index, flipFirstBit);
    expect(() => decryptValue(parseEnvelope(tampered), dataKey.key, stream)).toThrow(/fails authentication/);
  });

  it('fails when the key generation was altered (it is authenticated too)', () => {
    const envelope = encryptValue('secret', dataKey, stream).$pd.replace(/^v1\.1\./, 'v1.2.');
    expect(() => decryptValue(parseEnvelope(envelope), dataKey.key, stream)).toThrow(PersonalDataIntegrityError);
  });

  it.each([
    ['another format', (e: string) => e.replace(/^v1\./, 'v9.')],
    ['a missing part', (e: string) => e.split('.').slice(0, 4).join('.')],
    ['generation 0', (e: string) => e.replace(/^v1\.1\./, 'v1.0.')],
    ['a part that is not base64', (e: string) => `${e}!`],
    ['a short IV', (e: string) => withPart(e, 1, (iv) => iv.subarray(0, 8))],
    ['a short tag', (e: string) => withPart(e, 2, (tag) => tag.subarray(0, 12))],
  ])('rejects an envelope with %s', (_label, change) => {
    const envelope = change(encryptValue('x', dataKey, stream).$pd);
    expect(() => parseEnvelope(envelope)).toThrow(/malformed encrypted value/);
  });

  it('recognises exactly the envelope shape', () => {
    expect(isEncryptedValue(encryptValue('x', dataKey, stream))).toBe(true);
    expect(isEncryptedValue({ $pd: 'v1', other: 1 })).toBe(false);
    expect(isEncryptedValue({ $pd: 1 })).toBe(false);
    expect(isEncryptedValue(['$pd'])).toBe(false);
    expect(isEncryptedValue(null)).toBe(false);
  });

  it('finds and replaces encrypted values anywhere, copying only what changes', () => {
    const email = encryptValue('ada@example.com', dataKey, stream);
    const note = encryptValue('likes tea', dataKey, stream);
    const untouched: JsonObject = { plan: 'gold', tags: ['a', 'b'] };
    const secondLine: JsonObject = { sku: 'X1' };
    const data: JsonObject = { contact: { email, phone: null }, lines: [{ note }, secondLine], untouched };
    expect(containsEncryptedValue(data)).toBe(true);
    expect(containsEncryptedValue(untouched)).toBe(false);

    const plain = mapEncryptedValues(data, (envelope) => decryptValue(parseEnvelope(envelope), dataKey.key, stream)) as JsonObject;
    expect(plain).toEqual({ contact: { email: 'ada@example.com', phone: null }, lines: [{ note: 'likes tea' }, { sku: 'X1' }], untouched });
    expect(plain.untouched).toBe(untouched);
    expect((plain.lines as JsonValue[])[1]).toBe(secondLine);
    expect(data).toEqual({ contact: { email, phone: null }, lines: [{ note }, secondLine], untouched });
    expect(mapEncryptedValues(untouched, () => 'never')).toBe(untouched);
  });
});
