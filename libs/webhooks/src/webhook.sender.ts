import type { SendResult } from './webhook.delivery.js';

/** The worker is stopping: the request was abandoned, its outcome unknown (the job runs again elsewhere). */
export class DeliveryInterruptedError extends Error {
  constructor() {
    super('the delivery was interrupted: the worker is shutting down');
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
 * receiver answering 3xx failed. Aborting `stopping` abandons the request with a
 * {@link DeliveryInterruptedError}.
 */
export async function sendWebhook(request: WebhookRequest, timeoutMs: number, stopping: AbortSignal): Promise<SendResult> {
  if (stopping.aborted) throw new DeliveryInterruptedError();
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.any([timeout, stopping]),
    });
    await response.body?.cancel().catch(() => undefined);
    return { statusCode: response.status };
  } catch (error) {
    if (stopping.aborted) throw new DeliveryInterruptedError();
    if (timeout.aborted) return { error: `no answer within ${timeoutMs} ms` };
    return { error: describe(error) };
  }
}

/** fetch's errors say "fetch failed"; the cause (ECONNREFUSED, a TLS failure...) says why. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
