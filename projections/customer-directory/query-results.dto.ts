import { ApiProperty } from '@nestjs/swagger';
import { CUSTOMER_STAGES } from '#customers/domain';
import type { JsonObject } from '#event-store';
import type { TimelineItem } from '#projections/customer-timeline';
import type { CustomerProfile } from './directory.queries.js';

/** A customer as the directory holds it (OpenAPI schema of the directory's rows). */
export class CustomerProfileDto implements CustomerProfile {
  @ApiProperty({ example: 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b' })
  customerId!: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'Ada Lovelace', description: 'Null once erased' })
  name!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'ada@example.com', description: 'Null once erased' })
  email!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: '+44 20 7946 0000', description: 'Null once erased' })
  phone!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'Analytical Engines Ltd' })
  company!: string | null;

  @ApiProperty({ enum: CUSTOMER_STAGES })
  stage!: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'rep-17' })
  ownerRepId!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'Bavaria' })
  region!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'manufacturing' })
  industry!: string | null;

  @ApiProperty({ type: [String], example: ['enterprise'] })
  tags!: string[];

  @ApiProperty({ format: 'date-time', description: 'Registered at' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'When the last event of this customer was recorded' })
  updatedAt!: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  convertedAt!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'Latest call, e-mail, meeting, click, visit, form or purchase' })
  lastInteractionAt!: string | null;

  @ApiProperty({ type: 'integer', description: 'Calls, e-mails, meetings, clicks, site visits and form submissions' })
  interactions!: number;

  @ApiProperty({ type: 'integer' })
  orders!: number;

  @ApiProperty({ type: 'integer', example: 5997, description: 'Purchases minus refunds in minor units of revenueCurrency' })
  revenueMinor!: number;

  @ApiProperty({ type: 'string', nullable: true, example: 'EUR', description: '`XXX` when the orders were in more than one currency' })
  revenueCurrency!: string | null;

  @ApiProperty({ description: 'Personal data erased' })
  erased!: boolean;
}

export class CustomerPageDto {
  @ApiProperty({ type: [CustomerProfileDto] })
  items!: CustomerProfileDto[];

  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last one' })
  nextCursor!: string | null;
}

export class TimelineItemDto implements TimelineItem {
  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({ example: 'CallLogged' })
  type!: string;

  @ApiProperty({ format: 'date-time', description: 'When it happened (business time)' })
  occurredAt!: string;

  @ApiProperty({ format: 'date-time', description: 'When the log recorded it' })
  recordedAt!: string;

  @ApiProperty({ example: 'call-center', description: 'API key or service that sent the command' })
  actor!: string;

  @ApiProperty({ example: 'Outbound call, 7 min, interested: Wants a proposal' })
  summary!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event data; personal fields read {"$erased": true} once erased' })
  details!: JsonObject;
}

export class TimelinePageDto {
  @ApiProperty({ type: [TimelineItemDto] })
  items!: TimelineItemDto[];

  @ApiProperty({ type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last one' })
  nextCursor!: string | null;
}
