export { webhookBody, type WebhookBody } from './webhook.body.js';
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
export { WEBHOOK_QUEUE, addWebhookJobs, webhookJobId, webhookJobOptions, type ScheduledWebhookJob, type WebhookJob } from './webhook.jobs.js';
export { assignLanes, laneOf, type DeliveryCandidate } from './webhook.lanes.js';
export { WebhookProcessor, type WebhookJobOutcome } from './webhook.processor.js';
export { WebhookPump, type PumpScope, type WebhookPumpOptions } from './webhook.pump.js';
export { DeliveryInterruptedError, sendWebhook, type WebhookRequest } from './webhook.sender.js';
export { DEFAULT_SIGNATURE_TOLERANCE_SECONDS, WEBHOOK_HEADERS, signWebhook, verifyWebhookSignature, type SignedRequest } from './webhook.signature.js';
export { WebhookStore, type AttemptRecord, type SubscriptionBacklog, type DeliveryPage, type DeliveryRecord, type RetryResult, type SubscriptionRecord } from './webhook.store.js';
export {
  ALL_EVENT_TYPES,
  MAX_SECRET_LENGTH,
  MIN_SECRET_LENGTH,
  eventTypeProblems,
  generateSecret,
  wantsEventType,
  type SubscriptionDefinition,
} from './webhook.subscription.js';
export { WEBHOOKS_QUEUED, WEBHOOKS_SCHEMA, webhooksMigrations, type DisabledReason, type WebhookTables } from './webhooks.migrations.js';
export { WebhooksModule } from './webhooks.module.js';
export { Webhooks } from './webhooks.service.js';
