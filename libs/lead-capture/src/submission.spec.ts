import type { IncomingMessage } from 'node:http';
import type { FormRecord } from './form.js';
import { clientAddress, submissionCommandId } from './submission.js';

const form = { id: '3f1c6a2e-8d4b-4f0a-9b7e-5c2d1e0f9a8b' } as FormRecord;
const values = new Map([
  ['email', 'ada@example.com'],
  ['name', 'Ada'],
]);

describe('submissionCommandId', () => {
  const day = new Date('2026-03-01T09:00:00Z');

  it('is the same for the same fields on the same day, in any order', () => {
    const reordered = new Map([...values].reverse());
    expect(submissionCommandId(form, reordered, undefined, new Date('2026-03-01T23:59:00Z'))).toBe(submissionCommandId(form, values, undefined, day));
  });

  it('differs on another day, with other fields, or on another form', () => {
    const ids = new Set([
      submissionCommandId(form, values, undefined, day),
      submissionCommandId(form, values, undefined, new Date('2026-03-02T00:00:00Z')),
      submissionCommandId(form, new Map([...values, ['message', 'hi']]), undefined, day),
      submissionCommandId({ id: 'another-form' } as FormRecord, values, undefined, day),
    ]);
    expect(ids.size).toBe(4);
  });

  it('follows the Idempotency-Key when one is sent, whatever the fields', () => {
    expect(submissionCommandId(form, values, 'page-1', day)).toBe(submissionCommandId(form, new Map(), 'page-1', new Date()));
    expect(submissionCommandId(form, values, 'page-1', day)).not.toBe(submissionCommandId(form, values, 'page-2', day));
  });
});

describe('clientAddress', () => {
  const request = (forwardedFor?: string) =>
    ({ socket: { remoteAddress: '10.0.0.9' }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

  it('is the peer without trusted proxies, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(request('203.0.113.7'), 0)).toBe('10.0.0.9');
  });

  it('reads X-Forwarded-For from the right, one address per trusted proxy', () => {
    expect(clientAddress(request('198.51.100.1, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(request('198.51.100.1, 203.0.113.7'), 2)).toBe('198.51.100.1');
    expect(clientAddress(request('203.0.113.7'), 3)).toBe('203.0.113.7');
    expect(clientAddress(request(), 1)).toBe('10.0.0.9');
  });
});
