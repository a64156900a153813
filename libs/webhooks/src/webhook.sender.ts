import type { SendResult } from './webhook.delivery.js';

/** The worker is stopping before the request went out: nothing was sent, the job runs again (elsewhere, or after a restart). */
export class DeliveryInterruptedError extends Error {
  constructor() {
    super('the worker is shutting down: not sent');
    this.name = 'DeliveryInterruptedError';
  }
}

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * POSTs the request and says how the receiver answered: its status code once the headers arrive
 * within `timeoutMs` (the body is not read), else the error. Redirects are not followed: a
 * receiver answering 3xx failed. Once `stopping` is aborted no request goes out (a
 * {@link DeliveryInterruptedError}); one already out is abandoned, a failed attempt like a timeout
 * (the receiver may have got it).
 */
export async function sendWebhook(request: WebhookRequest, timeoutMs: number, stopping: AbortSignal): Promise<SendResult> {
  if (stopping.aborted) throw new DeliveryInterruptedError();
  // One controller per request, rather than AbortSignal.any: on Node 20 that leaves a listener on
  // the long-lived `stopping` signal per request until garbage collection.
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), abort.abort()), timeoutMs);
  const stop = () => abort.abort();
  stopping.addEventListener('abort', stop, { once: true });
  try {
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal: abort.signal });
    await response.body?.cancel().catch(() => undefined);
    return { statusCode: response.status };
  } catch (error) {
    if (timedOut) return { error: `no answer within ${timeoutMs} ms` };
    if (stopping.aborted) return { error: 'abandoned: the worker shut down while waiting for the answer' };
    return { error: describe(error) };
  } finally {
    clearTimeout(timer);
    stopping.removeEventListener('abort', stop);
  }
}

interface ErrorLike {
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

/**
 * fetch's errors say "fetch failed"; the cause (ECONNREFUSED, a TLS failure...) says why. Read by
 * shape: errors of Node's own fetch may come from another realm than this code's `Error`.
 */
function describe(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, cause } = error as ErrorLike;
  if (typeof cause === 'object' && cause !== null) {
    const { code, message: why } = cause as ErrorLike;
    const text = typeof why === 'string' ? why : '';
    if (typeof code === 'string') return text.includes(code) ? text : `${code}${text ? `: ${text}` : ''}`;
    if (text) return text;
  }
  return typeof message === 'string' ? message : String(error);
}
