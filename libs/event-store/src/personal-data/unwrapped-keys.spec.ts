import { randomBytes } from 'node:crypto';
import { UnwrappedKeys } from './unwrapped-keys.js';

describe('the unwrapped data keys of a process', () => {
  const wrapped = randomBytes(61);
  const key = randomBytes(32);

  it('answers only for the wrapped value, and the master key, the key came from', () => {
    const keys = new UnwrappedKeys(10);
    keys.set('customer-1', 1, wrapped, 'aaaa', key);
    expect(keys.get('customer-1', 1, Buffer.from(wrapped), 'aaaa')).toBe(key);
    expect(keys.get('customer-1', 1, randomBytes(61), 'aaaa')).toBeUndefined();
    expect(keys.get('customer-1', 1, wrapped, 'bbbb')).toBeUndefined();
    expect(keys.get('customer-1', 2, wrapped, 'aaaa')).toBeUndefined();
    expect(keys.get('customer-2', 1, wrapped, 'aaaa')).toBeUndefined();
  });

  it('keeps the most recently used streams and forgets an erased one', () => {
    const keys = new UnwrappedKeys(2);
    keys.set('customer-1', 1, wrapped, 'aaaa', key);
    keys.set('customer-2', 1, wrapped, 'aaaa', key);
    keys.get('customer-1', 1, wrapped, 'aaaa');
    keys.set('customer-3', 1, wrapped, 'aaaa', key);
    expect(keys.size).toBe(2);
    expect(keys.get('customer-2', 1, wrapped, 'aaaa')).toBeUndefined();
    expect(keys.get('customer-1', 1, wrapped, 'aaaa')).toBe(key);
    keys.forget('customer-1');
    expect(keys.get('customer-1', 1, wrapped, 'aaaa')).toBeUndefined();
  });
});
