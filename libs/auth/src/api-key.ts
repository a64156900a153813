import { createHash, randomBytes } from 'node:crypto';

/** What a key may do; each route names the roles it admits (no role implies another). */
export const ROLES = ['service', 'analyst', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/** Who sent a request: the API key it authenticated with. */
export interface Principal {
  readonly keyId: string;
  readonly name: string;
  readonly role: Role;
}

/** How a principal appears as the actor of the events its commands append, e.g. `service:webshop`. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.name}`;
}

/** Marks keys this system generated, so that a leaked one is recognisable (secret scanners, logs). */
export const GENERATED_KEY_PREFIX = 'crm_';
const KEY_BYTES = 32;

/** A new key: `crm_` and 32 random bytes in base64url (256 bits, 47 characters). */
export function generateApiKey(): string {
  return GENERATED_KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
}

/**
 * What is stored instead of the key. A plain SHA-256 is enough, unlike for passwords: a generated
 * key carries 256 random bits (and CRM_ADMIN_API_KEY at least 32 characters), so guessing keys
 * from a stolen hash is hopeless even at billions of hashes a second, and a slow salted KDF
 * (bcrypt, argon2) would only cost CPU on every request. Being deterministic, the hash is also the
 * lookup key (one indexed query per request).
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * The start of a key, shown in lists so that people can tell keys apart: 8 random characters of a
 * generated key (48 of its 256 bits), 4 characters of any other key.
 */
export function keyPrefix(key: string): string {
  return key.startsWith(GENERATED_KEY_PREFIX) ? key.slice(0, GENERATED_KEY_PREFIX.length + 8) : key.slice(0, 4);
}

/** Key names: short, without spaces, as they appear in actor strings and logs. */
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const KEY_NAME_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

export type BearerToken = { readonly kind: 'missing' } | { readonly kind: 'malformed' } | { readonly kind: 'token'; readonly token: string };

/** Reads `Authorization: Bearer <key>` (the scheme is case-insensitive, RFC 7235). */
export function parseBearerToken(header: string | undefined): BearerToken {
  if (header === undefined || header.trim() === '') return { kind: 'missing' };
  const match = /^Bearer +(\S+)$/i.exec(header.trim());
  return match ? { kind: 'token', token: match[1] } : { kind: 'malformed' };
}
