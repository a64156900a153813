import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './webhook.signature.js';

const SECRET = 'whsec_test-secret-0123456789';
const BODY = '{"id":"e1","type":"CallLogged","data":{"summary":"Grüße"}}';
const NOW = new Date('2026-03-01T12:00:00Z');
const TIMESTAMP = NOW.getTime() / 1000;

describe('webhook signatures', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256, hex, as v1', () => {
    const expected = createHmac('sha256', SECRET).update(`${TIMESTAMP}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, TIMESTAMP, BODY)).toBe(`v1=${expected}`);
  });

  it('verifies its own signature within the tolerance', () => {
    const signature = signWebhook(SECRET, TIMESTAMP, BODY);
    expect(verifyWebhookSignature(SECRET, { body: BODY, timestamp: String(TIMESTAMP), signature }, { now: NOW })).toBe(true);
    const late = new Date(NOW.getTime() + 299_000);
    expect(verifyWebhookSignature(SECRET, { body: BODY, timestamp: String(TIMESTAMP), signature }, { now: late })).toBe(true);
  });

  it('accepts a header listing several signatures when one matches', () => {
    const signature = `v1=${'0'.repeat(64)}, ${signWebhook(SECRET, TIMESTAMP, BODY)}`;
    expect(verifyWebhookSignature(SECRET, { body: BODY, timestamp: String(TIMESTAMP), signature }, { now: NOW })).toBe(true);
  });

  it.each([
    ['another body', { body: `${BODY} `, timestamp: String(TIMESTAMP), signature: signWebhook(SECRET, TIMESTAMP, BODY) }],
    ['another secret', { body: BODY, timestamp: String(TIMESTAMP), signature: signWebhook('another-secret-0123', TIMESTAMP, BODY) }],
    ['another timestamp', { body: BODY, timestamp: String(TIMESTAMP + 1), signature: signWebhook(SECRET, TIMESTAMP, BODY) }],
    ['no signature', { body: BODY, timestamp: String(TIMESTAMP), signature: undefined }],
    ['no timestamp', { body: BODY, timestamp: undefined, signature: signWebhook(SECRET, TIMESTAMP, BODY) }],
    ['a malformed timestamp', { body: BODY, timestamp: '1e9', signature: signWebhook(SECRET, TIMESTAMP, BODY) }],
    ['a malformed signature', { body: BODY, timestamp: String(TIMESTAMP), signature: 'v1=abc' }],
    ['another scheme', { body: BODY, timestamp: String(TIMESTAMP), signature: signWebhook(SECRET, TIMESTAMP, BODY).replace('v1=', 'v0=') }],
  ])('refuses %s', (_, request) => {
    expect(verifyWebhookSignature(SECRET, request, { now: NOW })).toBe(false);
  });

  it('refuses a timestamp outside the tolerance, either way', () => {
    const signature = signWebhook(SECRET, TIMESTAMP, BODY);
    const request = { body: BODY, timestamp: String(TIMESTAMP), signature };
    expect(verifyWebhookSignature(SECRET, request, { now: new Date(NOW.getTime() + 301_000) })).toBe(false);
    expect(verifyWebhookSignature(SECRET, request, { now: new Date(NOW.getTime() - 301_000) })).toBe(false);
    expect(verifyWebhookSignature(SECRET, request, { now: new Date(NOW.getTime() + 20_000), toleranceSeconds: 10 })).toBe(false);
  });
});
