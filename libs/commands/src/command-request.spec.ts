import { ProblemException } from '#http';
import { commandIdFor } from './command-context.js';
import { canonicalJson, headerToken, requestHash } from './command-request.js';

describe('headerToken', () => {
  it('takes 1 to 255 printable ASCII characters', () => {
    expect(headerToken({ 'idempotency-key': 'order-4711 #2' }, 'Idempotency-Key')).toBe('order-4711 #2');
    expect(headerToken({ 'idempotency-key': 'k'.repeat(255) }, 'Idempotency-Key')).toBe('k'.repeat(255));
    expect(headerToken({}, 'Idempotency-Key')).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
    ['a control character', 'a\tb'],
    ['sent twice', ['a', 'b']],
  ])('refuses a value %s with a 400 naming the header', (_, value) => {
    expect(() => headerToken({ 'idempotency-key': value }, 'Idempotency-Key')).toThrow(ProblemException);
    expect(() => headerToken({ 'idempotency-key': value }, 'Idempotency-Key')).toThrow(
      expect.objectContaining({ problem: expect.objectContaining({ status: 400, errors: [expect.objectContaining({ field: 'Idempotency-Key' })] }) }),
    );
  });
});

describe('requestHash', () => {
  it('is the same for the same JSON, whatever the key order', () => {
    expect(requestHash('POST', '/a', { x: 1, y: { b: [1, { d: 1, c: 2 }], a: null } })).toEqual(
      requestHash('post', '/a', { y: { a: null, b: [1, { c: 2, d: 1 }] }, x: 1 }),
    );
  });

  it('differs by method, path (with query) and body', () => {
    const base = requestHash('POST', '/a', { x: 1 });
    expect(requestHash('PUT', '/a', { x: 1 })).not.toEqual(base);
    expect(requestHash('POST', '/b', { x: 1 })).not.toEqual(base);
    expect(requestHash('POST', '/a?v=2', { x: 1 })).not.toEqual(base);
    expect(requestHash('POST', '/a', { x: 2 })).not.toEqual(base);
    expect(requestHash('POST', '/a', [1, 2])).not.toEqual(requestHash('POST', '/a', [2, 1]));
  });

  it('treats a missing body as null', () => {
    expect(requestHash('DELETE', '/a', undefined)).toEqual(requestHash('DELETE', '/a', null));
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: [{ z: 1, y: 2 }, 3] })).toBe('{"a":[{"y":2,"z":1},3],"b":1}');
  });
});

describe('commandIdFor', () => {
  it('is a stable UUID per API key and Idempotency-Key', () => {
    const id = commandIdFor('8f14e45f-ceea-4e7a-9b5c-6a3e1d2c0b9a', 'order-4711');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(commandIdFor('8f14e45f-ceea-4e7a-9b5c-6a3e1d2c0b9a', 'order-4711')).toBe(id);
    expect(commandIdFor('8f14e45f-ceea-4e7a-9b5c-6a3e1d2c0b9a', 'order-4712')).not.toBe(id);
    expect(commandIdFor('c9f0f895-fb98-4b91-8a4e-2f7d3c1b0a55', 'order-4711')).not.toBe(id);
  });
});
