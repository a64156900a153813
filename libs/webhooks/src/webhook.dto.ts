import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { HttpUrl, Text } from '#http';
import { ALL_EVENT_TYPES, MAX_SECRET_LENGTH, MIN_SECRET_LENGTH } from './webhook.subscription.js';
import { DELIVERY_STATUSES, type AttemptOutcome, type DeliveryStatus } from './webhook.delivery.js';
import { type AttemptRecord, type DeliveryRecord, type SubscriptionRecord } from './webhook.store.js';
import { type DisabledReason } from './webhooks.migrations.js';

/** More types than the domain has would only repeat some. */
const MAX_EVENT_TYPES = 100;

export class CreateWebhookDto {
  @HttpUrl('Where deliveries are POSTed (http or https; redirects are not followed)', 'https://erp.example.com/crm-events')
  readonly url!: string;

  @ApiProperty({
    description: `Event types to deliver (as the log names them, e.g. CustomerRegistered), or ["${ALL_EVENT_TYPES}"] for every one`,
    type: [String],
    example: ['CustomerRegistered', 'PurchaseRecorded'],
    minItems: 1,
    maxItems: MAX_EVENT_TYPES,
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_EVENT_TYPES)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  readonly eventTypes!: string[];

  @ApiPropertyOptional({
    description: `The HMAC-SHA256 signing key (${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters); generated when absent. Shown in this response only`,
    minLength: MIN_SECRET_LENGTH,
    maxLength: MAX_SECRET_LENGTH,
  })
  @IsOptional()
  @IsString()
  @Length(MIN_SECRET_LENGTH, MAX_SECRET_LENGTH)
  readonly secret?: string;

  @Text(500, { description: 'What the subscription is for, for people', example: 'ERP: new customers and their purchases', optional: true })
  readonly description?: string;
}

/** A subscription as listed: never its secret. */
export class WebhookDto {
  @ApiProperty({ format: 'uuid', example: '3f1c6a2e-8d4b-4f0a-9b7e-5c2d1e0f9a8b' })
  readonly id: string;

  @ApiProperty({ example: 'https://erp.example.com/crm-events' })
  readonly url: string;

  @ApiProperty({ type: [String], example: ['CustomerRegistered', 'PurchaseRecorded'] })
  readonly eventTypes: readonly string[];

  @ApiProperty({ type: String, nullable: true, example: 'ERP: new customers and their purchases' })
  readonly description: string | null;

  @ApiProperty({ enum: ['active', 'disabled'], example: 'active' })
  readonly status: 'active' | 'disabled';

  @ApiProperty({ enum: ['gone', 'admin'], nullable: true, example: null, description: 'gone: the receiver answered 410; admin: deleted' })
  readonly disabledReason: DisabledReason | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  readonly disabledAt: Date | null;

  @ApiProperty({ description: 'The head of the log when it was created: only later events are delivered', example: '757-1' })
  readonly fromPosition: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-03-01T09:30:00.000Z' })
  readonly createdAt: Date;

  constructor(record: SubscriptionRecord) {
    this.id = record.id;
    this.url = record.url;
    this.eventTypes = record.eventTypes;
    this.description = record.description;
    this.status = record.status;
    this.disabledReason = record.disabledReason;
    this.disabledAt = record.disabledAt;
    this.fromPosition = record.fromPosition;
    this.createdAt = record.createdAt;
  }
}

/** A subscription just created, with its secret: shown this once. */
export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({ description: 'The signing secret. Shown only in this response: store it with the receiver now.', example: 'whsec_5Xk3v9QaBp1c0RkT8mWl2YdE5uJ7sN4hF6gZ0aQwErT' })
  readonly secret: string;

  constructor(record: SubscriptionRecord & { readonly secret: string }) {
    super(record);
    this.secret = record.secret;
  }
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  readonly status?: DeliveryStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  readonly limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  readonly cursor?: string;
}

export class AttemptDto {
  @ApiProperty({ type: 'integer', description: 'Counted over every round (a manual retry starts a new round)', example: 1 })
  readonly attempt: number;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the request was sent' })
  readonly at: Date;

  @ApiProperty({ type: 'integer', example: 87 })
  readonly durationMs: number;

  @ApiProperty({ type: 'integer', nullable: true, example: 503, description: "The receiver's status; null when it did not answer" })
  readonly statusCode: number | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why there was no answer (timeout, connection refused...)' })
  readonly error: string | null;

  @ApiProperty({ enum: ['delivered', 'failed', 'gone'], example: 'failed' })
  readonly outcome: AttemptOutcome;

  constructor(record: AttemptRecord) {
    this.attempt = record.attempt;
    this.at = record.at;
    this.durationMs = record.durationMs;
    this.statusCode = record.statusCode;
    this.error = record.error;
    this.outcome = record.outcome;
  }
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'Sent as X-CRM-Delivery-Id' })
  readonly id: string;

  @ApiProperty({ format: 'uuid', description: "Sent as X-CRM-Event-Id and as the body's id" })
  readonly eventId: string;

  @ApiProperty({ example: 'CustomerRegistered' })
  readonly eventType: string;

  @ApiProperty({ example: 'customer-5c1c0a52-7d0e-4b44-9d2a-3e6f1b8c9d0e' })
  readonly streamId: string;

  @ApiProperty({ type: 'integer', example: 0 })
  readonly revision: number;

  @ApiProperty({ example: '757-1' })
  readonly position: string;

  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description: 'pending: behind an earlier delivery of its stream; queued: next to be attempted; delivered; dead (every attempt failed); cancelled (the subscription was disabled)',
  })
  readonly status: DeliveryStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next attempt is due (queued only)' })
  readonly nextAttemptAt: Date | null;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  readonly finishedAt: Date | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Of the latest attempt' })
  readonly lastStatusCode: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Of the latest attempt' })
  readonly lastError: string | null;

  @ApiProperty({ type: [AttemptDto], description: 'Every attempt, oldest first' })
  readonly attempts: AttemptDto[];

  constructor(record: DeliveryRecord) {
    this.id = record.id;
    this.eventId = record.eventId;
    this.eventType = record.eventType;
    this.streamId = record.streamId;
    this.revision = record.revision;
    this.position = record.position;
    this.status = record.status;
    this.nextAttemptAt = record.nextAttemptAt;
    this.createdAt = record.createdAt;
    this.finishedAt = record.finishedAt;
    this.lastStatusCode = record.lastStatusCode;
    this.lastError = record.lastError;
    this.attempts = record.attempts.map((attempt) => new AttemptDto(attempt));
  }
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] })
  readonly items: DeliveryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  readonly nextCursor: string | null;

  constructor(items: DeliveryDto[], nextCursor: string | null) {
    this.items = items;
    this.nextCursor = nextCursor;
  }
}
