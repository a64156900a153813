import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { CALL_OUTCOMES, DIRECTIONS, MEETING_KINDS, type CallOutcome, type Direction, type MeetingKind } from '#customers/domain';
import { OccurredAt, OptionalId, RequiredId, Text } from '#http';

export class LogCallDto {
  @OptionalId('Id of the call; derived from the command id when absent')
  callId?: string;

  @ApiProperty({ enum: DIRECTIONS, example: 'outbound' })
  @IsIn(DIRECTIONS)
  direction!: Direction;

  @ApiProperty({ example: 420, minimum: 0, maximum: 86_400 })
  @IsInt()
  @Min(0)
  @Max(86_400)
  durationSeconds!: number;

  @ApiProperty({ enum: CALL_OUTCOMES, example: 'follow_up_requested' })
  @IsIn(CALL_OUTCOMES)
  outcome!: CallOutcome;

  @RequiredId('The rep on the call', 'rep-17')
  repId!: string;

  @Text(4000, { multiline: true, description: 'What was said', example: 'Asked for a revised proposal by Friday.', optional: true })
  summary?: string;

  @OccurredAt()
  occurredAt?: string;
}

export class LogEmailDto {
  @OptionalId('Id of the e-mail; derived from the command id when absent')
  emailId?: string;

  @ApiProperty({ enum: DIRECTIONS, example: 'inbound' })
  @IsIn(DIRECTIONS)
  direction!: Direction;

  @Text(500, { description: 'Subject line', example: 'Re: proposal for 2027' })
  subject!: string;

  @Text(4000, { multiline: true, description: 'Gist of the message', example: 'Accepts the price, asks about delivery dates.', optional: true })
  summary?: string;

  @OptionalId('The rep who sent or received it', 'rep-17')
  repId?: string;

  @OccurredAt()
  occurredAt?: string;
}

export class LogMeetingDto {
  @OptionalId('Id of the meeting; derived from the command id when absent')
  meetingId?: string;

  @ApiProperty({ enum: MEETING_KINDS, example: 'visit' })
  @IsIn(MEETING_KINDS)
  kind!: MeetingKind;

  @Text(300, { description: 'Where', example: 'Customer site, Frankfurt', optional: true })
  location?: string;

  @ApiProperty({ example: 45, minimum: 0, maximum: 1440 })
  @IsInt()
  @Min(0)
  @Max(1440)
  durationMinutes!: number;

  @RequiredId('The rep who met them', 'rep-17')
  repId!: string;

  @Text(4000, { multiline: true, description: 'What was discussed', example: 'Demo of the reporting module.', optional: true })
  summary?: string;

  @OccurredAt()
  occurredAt?: string;
}
