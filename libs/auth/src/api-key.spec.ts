import { createHash } from 'node:crypto';
import { actorOf, generateApiKey, hashApiKey, keyPrefix, KEY_NAME_PATTERN, parseBearerToken } from './api-key.js';

describe('API keys', () => {
  it('are generated as crm_ and 32 random bytes in base64url', () => {
    const keys = new Set(Array.from({ length: 100 }, generateApiKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^crm_[A-Za-z0-9_-]{43}$/);
  });

  it('are stored as their SHA-256', () => {
    const key = 'crm_example';
    expect(hashApiKey(key).equals(createHash('sha256').update(key).digest())).toBe(true);
    expect(hashApiKey(key)).toHaveLength(32);
  });

  it('show 8 random characters of a generated key, 4 of any other', () => {
    expect(keyPrefix('crm_AbCdEfGhIjKlMn')).toBe('crm_AbCdEfGh');
    expect(keyPrefix('0123456789abcdef0123456789abcdef')).toBe('0123');
  });

  it('have names without spaces, up to 64 characters', () => {
    for (const name of ['webshop', 'CRM_ADMIN_API_KEY', 'call-center.eu', '7', 'a'.repeat(64)]) expect(name).toMatch(KEY_NAME_PATTERN);
    for (const name of ['', ' webshop', 'web shop', '-webshop', 'a'.repeat(65), 'wébshop']) expect(name).not.toMatch(KEY_NAME_PATTERN);
  });

  it('name the actor of events by role and name', () => {
    expect(actorOf({ keyId: 'k', name: 'webshop', role: 'service' })).toBe('service:webshop');
  });
});

describe('parseBearerToken', () => {
  it.each([
    ['Bearer crm_abc', { kind: 'token', token: 'crm_abc' }],
    ['bearer crm_abc', { kind: 'token', token: 'crm_abc' }],
    ['BEARER   crm_abc  ', { kind: 'token', token: 'crm_abc' }],
    [undefined, { kind: 'missing' }],
    ['', { kind: 'missing' }],
    ['Bearer', { kind: 'malformed' }],
    ['Bearer ', { kind: 'malformed' }],
    ['Basic dXNlcjpwYXNz', { kind: 'malformed' }],
    ['crm_abc', { kind: 'malformed' }],
    ['Bearer crm_abc extra', { kind: 'malformed' }],
  ])('reads %j', (header, expected) => {
    expect(parseBearerToken(header)).toEqual(expected);
  });
});
