import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  COMMENT_AUTHORS,
  COMMENT_VISIBILITIES,
  RESOLUTION_CODES,
  TICKET_CATEGORIES,
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type CommentAuthor,
  type CommentVisibility,
  type ResolutionCode,
  type TicketCategory,
  type TicketChannel,
  type TicketPriority,
  type TicketStatus,
} from '#service/domain';
import { OptionalId, RequiredId, Text } from '#http';
import { StreamCommandResultDto } from '#commands';

export class OpenTicketDto {
  @OptionalId('Id of the ticket; derived from the command id when absent', 'tk-2026-0042')
  ticketId?: string;

  @RequiredId('The customer it is for', 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b')
  customerId!: string;

  @ApiProperty({ enum: TICKET_CHANNELS, example: 'phone' })
  @IsIn(TICKET_CHANNELS)
  channel!: TicketChannel;

  @ApiProperty({ enum: TICKET_CATEGORIES, example: 'complaint' })
  @IsIn(TICKET_CATEGORIES)
  category!: TicketCategory;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, example: 'high', description: 'Defaults to normal' })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @Text(300, { description: 'What it is about, in a line', example: 'Desk wobbles after assembly' })
  subject!: string;

  @Text(10_000, { multiline: true, description: 'The whole story', example: 'The left leg is shorter than the others.', optional: true })
  description?: string;

  @OptionalId('The product it concerns', 'DESK-160')
  productSku?: string;

  @OptionalId('The order of the purchase line it concerns', 'order-7781')
  orderId?: string;

  @ApiPropertyOptional({ example: 1, minimum: 1, description: 'The line of that order (with orderId)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  lineNo?: number;

  @OptionalId('The service contract it is claimed under', 'sc-19')
  serviceContractId?: string;
}

export class AssignTicketDto {
  @OptionalId('The agent (a rep working in service) who takes it; or a team', 'rep-17')
  agentRepId?: string;

  @Text(100, { description: "The team whose queue takes it; or an agent", example: 'Support EMEA', optional: true })
  team?: string;
}

export class CommentOnTicketDto {
  @OptionalId('Id of the comment; derived from the command id when absent', 'cm-1')
  commentId?: string;

  @ApiProperty({ enum: COMMENT_AUTHORS, example: 'agent', description: "Who wrote it: an agent, or the customer (relayed by a service); a customer's answer resumes a ticket on hold" })
  @IsIn(COMMENT_AUTHORS)
  author!: CommentAuthor;

  @OptionalId("The agent who wrote it (agents' comments)", 'rep-17')
  authorRepId?: string;

  @ApiPropertyOptional({ enum: COMMENT_VISIBILITIES, description: "Internal comments are the team's; the customer sees public ones. Default: internal for an agent, public for the customer" })
  @IsOptional()
  @IsIn(COMMENT_VISIBILITIES)
  visibility?: CommentVisibility;

  @Text(10_000, { multiline: true, description: 'The comment', example: 'A replacement leg is on its way.' })
  text!: string;
}

export class ChangeTicketPriorityDto {
  @ApiProperty({ enum: TICKET_PRIORITIES, example: 'urgent' })
  @IsIn(TICKET_PRIORITIES)
  priority!: TicketPriority;
}

export class PutTicketOnHoldDto {
  @Text(1000, { multiline: true, description: 'What the customer is asked for', example: 'A photo of the label', optional: true })
  reason?: string;
}

export class ResolveTicketDto {
  @ApiProperty({ enum: RESOLUTION_CODES, example: 'fixed' })
  @IsIn(RESOLUTION_CODES)
  resolutionCode!: ResolutionCode;

  @Text(4000, { multiline: true, description: 'How it was resolved', example: 'Replaced the leg.', optional: true })
  note?: string;
}

export class ReopenTicketDto {
  @Text(1000, { multiline: true, description: 'Why it is reopened', example: 'Wobbles again', optional: true })
  reason?: string;
}

export class TicketCommandResultDto extends StreamCommandResultDto {
  @ApiProperty({ example: 'tk-2026-0042' })
  ticketId!: string;
}

export class OpenedTicketDto extends TicketCommandResultDto {
  @ApiProperty({ example: 'CS-2026-004711', description: 'What the customer reads out on the phone' })
  trackingNumber!: string;
}

/** A ticket as its stream tells it now (subject and description unreadable once the customer is erased). */
export class TicketDto {
  @ApiProperty() ticketId!: string;
  @ApiProperty({ example: 'CS-2026-004711' }) trackingNumber!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ enum: TICKET_STATUSES }) status!: TicketStatus;
  @ApiProperty({ enum: TICKET_CHANNELS }) channel!: TicketChannel;
  @ApiProperty({ enum: TICKET_CATEGORIES }) category!: TicketCategory;
  @ApiProperty({ enum: TICKET_PRIORITIES }) priority!: TicketPriority;
  @ApiProperty({ type: String, nullable: true, description: 'Null once the customer is erased' }) subject!: string | null;
  @ApiProperty({ type: String, nullable: true }) agentRepId!: string | null;
  @ApiProperty({ type: String, nullable: true }) team!: string | null;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ type: String, nullable: true }) resolvedAt!: string | null;
  @ApiProperty({ enum: RESOLUTION_CODES, nullable: true }) resolutionCode!: ResolutionCode | null;
  @ApiProperty({ type: String, nullable: true }) closedAt!: string | null;
  @ApiProperty() reopenCount!: number;
  @ApiProperty() revision!: number;
}
