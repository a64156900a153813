import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers of every delivery request. */
export const WEBHOOK_HEADERS = {
  /** The event's id: the same for every delivery of the event, to de-duplicate by. */
  eventId: 'X-CRM-Event-Id',
  /** The delivery's id: one event to one subscription (the same for each attempt). */
  deliveryId: 'X-CRM-Delivery-Id',
  /** When this attempt was signed, in unix seconds. */
  timestamp: 'X-CRM-Timestamp',
  /** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
  signature: 'X-CRM-Signature',
} as const;

/** How far a timestamp may be from the receiver's clock before the request is refused as a replay. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** The signature header's value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${hmac(secret, timestamp, body)}`;
}

export interface SignedRequest {
  /** The raw body as received: verifying a re-serialised body fails. */
  readonly body: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/**
 * What a receiver checks (exported for receivers written in TypeScript): the timestamp is within
 * `toleranceSeconds` of `now` and one of the header's comma-separated `v1=` signatures is that of
 * the timestamp and body under `secret`. Constant-time comparison.
 */
export function verifyWebhookSignature(
  secret: string,
  request: SignedRequest,
  options: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  const { timestamp, signature, body } = request;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(hmac(secret, Number(timestamp), body), 'hex');
  return signature
    .split(',')
    .map((part) => part.trim())
    .some((part) => {
      if (!/^v1=[0-9a-f]{64}$/i.test(part)) return false;
      return timingSafeEqual(Buffer.from(part.slice(3), 'hex'), expected);
    });
}

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
