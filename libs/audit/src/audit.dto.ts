import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsInt, IsOptional, ValidateBy } from 'class-validator';
import { CUSTOMER_SOURCES, CUSTOMER_STAGES, type CustomerState, type InteractionCounts } from '#customers/domain';
import type { JsonObject } from '#event-store';
import { AS_OF_RULE, INSTANT_RULE, isAsOf, parseAsOf, parseInstant, parseWholeNumber, REVISION_RULE, type AsOf } from './as-of.js';
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, type AuditEvent, type CustomerStateAsOf, type HistoryPage } from './customer-audit.js';

// ---- queries ------------------------------------------------------------------------------------
// Query values arrive as strings; each is converted explicitly (no implicit conversion), and left
// as it was when it does not parse, so that its validator fails and names the parameter.

function Revision(description: string, example: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 0, description, example }),
    IsOptional(),
    Transform(({ value }) => parseWholeNumber(value) ?? value),
    IsInt({ message: ({ property }) => `${property} must be ${REVISION_RULE}` }),
  );
}

function Instant(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: String, format: 'date-time', description, example }),
    IsOptional(),
    Transform(({ value }) => parseInstant(value) ?? value),
    IsDate({ message: ({ property }) => `${property} must be ${INSTANT_RULE}` }),
  );
}

/** An upper bound must not be below its lower bound `lower` (numbers or times); `lower` is checked on its own. */
function NotBelow(lower: string, message: string): PropertyDecorator {
  const comparable = (value: unknown): value is number | Date => typeof value === 'number' || value instanceof Date;
  return ValidateBy({
    name: 'notBelow',
    constraints: [lower],
    validator: {
      validate: (value: unknown, args) => {
        const bound = (args?.object as Record<string, unknown> | undefined)?.[lower];
        return !comparable(value) || !comparable(bound) || Number(value) >= Number(bound);
      },
      defaultMessage: () => message,
    },
  });
}

export class CustomerEventsQueryDto {
  @Revision('Only events at or after this revision', 2)
  readonly fromRevision?: number;

  @Revision('Only events at or before this revision', 10)
  @NotBelow('fromRevision', 'toRevision must not be less than fromRevision')
  readonly toRevision?: number;

  @Instant('Only events recorded at or after this time (ISO 8601 with a zone)', '2026-11-20T00:00:00Z')
  readonly from?: Date;

  @Instant('Only events recorded at or before this time (ISO 8601 with a zone)', '2026-11-21T00:00:00Z')
  @NotBelow('from', 'to must not be before from')
  readonly to?: Date;

  @Revision("The cursor: only events after this revision (the previous page's nextCursor)", 99)
  readonly after?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: HISTORY_MAX_LIMIT, default: HISTORY_DEFAULT_LIMIT, description: 'Events per page' })
  @IsOptional()
  @Transform(({ value }) => parseWholeNumber(value) ?? value)
  @ValidateBy({
    name: 'isLimit',
    validator: {
      validate: (value: unknown) => Number.isInteger(value) && Number(value) >= 1 && Number(value) <= HISTORY_MAX_LIMIT,
      defaultMessage: () => `limit must be an integer from 1 to ${HISTORY_MAX_LIMIT}`,
    },
  })
  readonly limit: number = HISTORY_DEFAULT_LIMIT;
}

export class CustomerStateQueryDto {
  @ApiPropertyOptional({
    type: String,
    description: `${AS_OF_RULE}: the state after that event, or after the last event recorded at or before that time. Omitted: now.`,
    example: '2026-11-20T14:30:00Z',
  })
  @IsOptional()
  @Transform(({ value }) => parseAsOf(value) ?? value)
  @ValidateBy({ name: 'isAsOf', validator: { validate: isAsOf, defaultMessage: () => `asOf must be ${AS_OF_RULE}` } })
  readonly asOf?: AsOf;
}

// ---- responses ----------------------------------------------------------------------------------

const ERASED_NOTE = 'a personal value; reads {"$erased": true} once the person is erased';

class AuditEventMetadataDto {
  @ApiProperty({ description: 'The API key (or service) that sent the command', example: 'webshop' })
  readonly actor!: string;

  @ApiProperty({ example: 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b' })
  readonly commandId!: string;

  @ApiProperty({ example: 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b' })
  readonly correlationId!: string;

  @ApiProperty({ example: 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b' })
  readonly causationId!: string;

  @ApiProperty({ format: 'date-time', description: "When the store recorded the event (the store's clock)", example: '2026-11-20T14:30:00.123Z' })
  readonly recordedAt!: string;
}

export class AuditEventDto implements AuditEvent {
  @ApiProperty({ format: 'uuid', example: '0b6f5f1e-6a43-5f7e-9d0c-2b1e3f4a5c6d' })
  readonly id!: string;

  @ApiProperty({ type: 'integer', description: 'Place in the stream, from 0', example: 3 })
  readonly revision!: number;

  @ApiProperty({ description: 'Place in the whole log', example: '7520-118' })
  readonly position!: string;

  @ApiProperty({ example: 'PurchaseRecorded' })
  readonly type!: string;

  @ApiProperty({ type: 'integer', description: 'Version of the data as read (old versions are upcast on read)', example: 1 })
  readonly schemaVersion!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The event\'s data, personal fields decrypted; they read {"$erased": true} once the person is erased',
    example: { orderId: 'order-2026-0042', totalMinor: 6497, currency: 'EUR' },
  })
  readonly data!: JsonObject;

  @ApiProperty({ type: AuditEventMetadataDto })
  readonly metadata!: AuditEventMetadataDto;
}

export class CustomerHistoryDto implements HistoryPage {
  @ApiProperty({ type: [AuditEventDto], description: 'In revision order' })
  readonly events!: AuditEventDto[];

  @ApiProperty({ type: 'integer', nullable: true, description: 'Pass as `after` for the next page; null on the last page', example: 99 })
  readonly nextCursor!: number | null;
}

class AsOfDto {
  @ApiProperty({ type: 'integer', description: 'The last event folded into the state (the last one of the stream when asked past its end)', example: 5 })
  readonly revision!: number;

  @ApiProperty({ format: 'date-time', description: 'When that event was recorded', example: '2026-11-20T14:30:00.123Z' })
  readonly recordedAt!: string;
}

const text: ApiPropertyOptions = { type: 'string', nullable: true };
const time = (description?: string): ApiPropertyOptions => ({ type: 'string', format: 'date-time', nullable: true, description });
const strings: ApiPropertyOptions = { type: 'array', items: { type: 'string' } };
const personal: ApiPropertyOptions = { description: ERASED_NOTE };
const counter: ApiPropertyOptions = { type: 'integer' };
const INTERACTION_COUNTS: Record<keyof InteractionCounts, ApiPropertyOptions> = {
  calls: counter,
  emails: counter,
  meetings: counter,
  clicks: counter,
  siteVisits: counter,
  formSubmissions: counter,
  purchases: counter,
  refunds: counter,
  notes: counter,
  documents: counter,
};

/** The state's shape, keyed by CustomerState's own properties so the two cannot drift apart. */
const CUSTOMER_STATE_PROPERTIES: Record<keyof CustomerState, ApiPropertyOptions> = {
  registered: { type: 'boolean' },
  erased: { type: 'boolean' },
  customerId: text,
  stage: { type: 'string', enum: [...CUSTOMER_STAGES], nullable: true },
  source: { type: 'string', enum: [...CUSTOMER_SOURCES], nullable: true },
  ownerRepId: text,
  contact: {
    type: 'object',
    nullable: true,
    description: 'Null before registration and after erasure',
    properties: { name: personal, email: personal, phone: personal, address: personal },
  },
  company: {
    type: 'object',
    nullable: true,
    properties: { name: { type: 'string' }, department: { type: 'string' }, personInCharge: personal, title: { type: 'string' } },
  },
  demographics: { type: 'object', nullable: true, additionalProperties: true },
  tags: strings,
  registeredAt: time(),
  convertedAt: time(),
  erasedAt: time(),
  lastInteractionAt: time('Latest call, e-mail, meeting, click, visit, form submission or purchase'),
  interactions: {
    type: 'object',
    properties: INTERACTION_COUNTS,
  },
  orders: {
    type: 'object',
    description: 'By order id',
    additionalProperties: {
      type: 'object',
      properties: {
        orderId: { type: 'string' },
        currency: { type: 'string' },
        totalMinor: { type: 'integer' },
        refundedMinor: { type: 'integer' },
        repId: { type: 'string', nullable: true },
        purchasedAt: { type: 'string', format: 'date-time' },
        lines: { type: 'array', items: { type: 'object', additionalProperties: true } },
      },
    },
  },
  refundIds: strings,
  contracts: { type: 'object', description: 'By contract id: current terms after every revision', additionalProperties: { type: 'object', additionalProperties: true } },
  repurchaseRemindersOn: { ...strings, description: 'The expected purchase days a repurchase reminder fell due for' },
  documentIds: strings,
};

export class CustomerStateAsOfDto implements CustomerStateAsOf {
  @ApiProperty({ example: 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b' })
  readonly customerId!: string;

  @ApiProperty({ type: AsOfDto })
  readonly asOf!: AsOfDto;

  @ApiProperty({
    type: 'object',
    properties: CUSTOMER_STATE_PROPERTIES,
    required: Object.keys(CUSTOMER_STATE_PROPERTIES),
    // `required` above lists the state's own properties; this says the state itself is required.
    selfRequired: true,
    description: "The customer as the domain's evolve rebuilds it from the events up to asOf",
  })
  readonly state!: CustomerState;
}
