import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { CalendarDate, OptionalId, Text } from '#http';

export class OnboardRepDto {
  @OptionalId('The rep id; generated when absent', 'rep-17')
  repId?: string;

  @Text(200, { description: 'Full name', example: 'Grace Hopper' })
  name!: string;

  @ApiProperty({ example: 'grace.hopper@example.com', maxLength: 254 })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @Text(100, { description: 'Sales team', example: 'Enterprise' })
  team!: string;

  @Text(100, { description: 'Sales region', example: 'EMEA' })
  region!: string;

  @CalendarDate('First working day', '2026-01-05')
  startDate!: string;
}

export class DeactivateRepDto {
  @Text(1000, { multiline: true, description: 'Why', example: 'Left the company', optional: true })
  reason?: string;
}

export class RepCommandResultDto {
  @ApiProperty({ example: 'rep-17' })
  repId!: string;

  @ApiProperty({ example: 3, description: "The rep stream's revision after the command" })
  revision!: number;

  @ApiProperty({
    example: '7520-118',
    description: 'Log position of the last event written; send it as X-Consistent-With to read your own write',
  })
  position!: string;
}
