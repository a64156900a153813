import { createHash } from 'node:crypto';
import type { WebhookConfig } from '#config';
import { uuidFromDigest } from '#event-store';

/**
 * A delivery's life: `pending` (waiting behind an earlier delivery of its lane), `queued` (its
 * lane's head: a job attempts it when `next_attempt_at` comes), then one of `delivered`, `dead`
 * (every attempt of its round failed), `cancelled` (its subscription was disabled first).
 */
export const DELIVERY_STATUSES = ['pending', 'queued', 'delivered', 'dead', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Not finished: a lane with one of these holds later deliveries back. */
export const UNFINISHED_STATUSES = ['pending', 'queued'] as const satisfies readonly DeliveryStatus[];

/** `gone`: the receiver answered 410, which disables the subscription. */
export type AttemptOutcome = 'delivered' | 'failed' | 'gone';

// Fixed namespace of delivery ids: the same subscription and event always make the same id.
const DELIVERY_ID_NAMESPACE = 'crm-webhook-delivery-v1';

/**
 * The id of the delivery of event `eventId` to subscription `subscriptionId`: a UUID (version 8)
 * from a SHA-256, so a replay of the log (or a batch applied again) finds the delivery it made.
 */
export function deliveryIdFor(subscriptionId: string, eventId: string): string {
  return uuidFromDigest(createHash('sha256').update(`${DELIVERY_ID_NAMESPACE}\n${subscriptionId}\n${eventId}`).digest(), 8);
}

/** The wait after the `failed`-th failed attempt of a round (1, 2...): the first delay, doubling, capped. */
export function backoffMs(failed: number, config: Pick<WebhookConfig, 'backoffMs' | 'maxBackoffMs'>): number {
  // 2^exponent overflows nothing before the cap applies: the cap is at most a day.
  const exponent = Math.min(Math.max(failed - 1, 0), 40);
  return Math.min(config.backoffMs * 2 ** exponent, config.maxBackoffMs);
}

/** What one request came to: the receiver's status code, or no answer (a network error, a timeout). */
export type SendResult = { readonly statusCode: number } | { readonly error: string };

/** 2xx: delivered; 410: gone; any other status (redirects included, they are not followed) or no answer: failed. */
export function classifyAttempt(result: SendResult): AttemptOutcome {
  if (!('statusCode' in result)) return 'failed';
  if (result.statusCode >= 200 && result.statusCode < 300) return 'delivered';
  return result.statusCode === 410 ? 'gone' : 'failed';
}

/** Where a delivery goes after an attempt: finished, or queued again after `retryInMs`. */
export type NextStep =
  | { readonly status: 'delivered' | 'dead' | 'cancelled' }
  | { readonly status: 'queued'; readonly retryInMs: number };

/**
 * The step after attempt number `attempt` (counted over every round) of a delivery whose current
 * round began after `roundStart` attempts: a failure is retried with backoff until the round has
 * made `maxAttempts` attempts, then the delivery is dead; after a 410 it is cancelled with the
 * rest of its subscription's unfinished deliveries.
 */
export function nextStep(outcome: AttemptOutcome, attempt: number, roundStart: number, config: WebhookConfig): NextStep {
  if (outcome === 'delivered') return { status: 'delivered' };
  if (outcome === 'gone') return { status: 'cancelled' };
  const failed = attempt - roundStart;
  return failed >= config.maxAttempts ? { status: 'dead' } : { status: 'queued', retryInMs: backoffMs(failed, config) };
}

/**
 * The key of a lane's transaction-level advisory lock. Every transaction that adds deliveries to a
 * lane or finishes one takes it, so whoever decides what the lane's head is sees the others'
 * commits (two lanes sharing a key merely wait for each other).
 */
export function laneLockKey(subscriptionId: string, streamId: string): number {
  return createHash('sha256').update(`${subscriptionId}\n${streamId}`).digest().readInt32BE(0);
}
