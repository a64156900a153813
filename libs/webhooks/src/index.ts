export { webhookBody } from './webhook.body.js';
export {
  DELIVERY_STATUSES,
  UNFINISHED_STATUSES,
  backoffMs,
  classifyAttempt,
  deliveryIdFor,
  laneLockKey,
  nextStep,
  type AttemptOutcome,
  type DeliveryStatus,
  type NextStep,
  type SendResult,
} from './webhook.delivery.js';
export { WEBHOOK_DISPATCHER, webhookDispatcher } from './webhook.dispatcher.js';
export { WEBHOOK_QUEUE, webhookJobId, type WebhookJob } from './webhook.jobs.js';
export { sendWebhook } from './webhook.sender.js';
export { DEFAULT_SIGNATURE_TOLERANCE_SECONDS, WEBHOOK_HEADERS, signWebhook, verifyWebhookSignature, type SignedRequest } from './webhook.signature.js';
export { WebhookStore, type SubscriptionBacklog } from './webhook.store.js';
export {
  ALL_EVENT_TYPES,
  MAX_SECRET_LENGTH,
  MIN_SECRET_LENGTH,
  eventTypeProblems,
  generateSecret,
  wantsEventType,
  type SubscriptionDefinition,
} from './webhook.subscription.js';
export { webhooksMigrations } from './webhooks.migrations.js';
export { WebhooksModule } from './webhooks.module.js';
export { Webhooks } from './webhooks.service.js';
