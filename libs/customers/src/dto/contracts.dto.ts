import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { CONTRACT_KINDS, type ContractKind } from '#customers/domain';
import { CalendarDate, CurrencyCode, MAX_MINOR, OptionalId, Text } from '#http';

class ContractTermsDto {
  @ApiPropertyOptional({ example: 1200000, minimum: 0, description: 'Total value in minor units; needs currency' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_MINOR)
  valueMinor?: number;

  @CurrencyCode('ISO 4217; needed with valueMinor', true)
  currency?: string;

  @Text(10_000, { multiline: true, description: 'Terms', example: '12 months, renews unless cancelled 3 months ahead', optional: true })
  terms?: string;

  @ApiPropertyOptional({ example: 60, minimum: 0, maximum: 730, description: 'Days before the end to schedule a follow-up' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(730)
  followUpLeadDays?: number;
}

export class RecordContractDto extends ContractTermsDto {
  @OptionalId('Id of the contract; derived from the command id when absent')
  contractId?: string;

  @ApiProperty({ enum: CONTRACT_KINDS, example: 'competitor', description: '`own`, or one the prospect holds with another vendor' })
  @IsIn(CONTRACT_KINDS)
  kind!: ContractKind;

  @Text(200, { description: 'The other vendor (required for competitor contracts)', example: 'Globex CRM', optional: true })
  vendorName?: string;

  @Text(300, { description: 'Title', example: 'Support and maintenance 2026', optional: true })
  title?: string;

  @CalendarDate('First day', '2026-01-01')
  startsOn!: string;

  @CalendarDate('Last day (expiry); after startsOn', '2026-12-31')
  endsOn!: string;
}

/** The fields a revision changes: a value sets, `null` clears (not the dates), absent keeps. */
export class ContractChangesDto extends ContractTermsDto {
  @CalendarDate('New first day', '2026-02-01', true)
  startsOn?: string;

  @CalendarDate('New last day', '2027-01-31', true)
  endsOn?: string;
}

export class ReviseContractDto {
  @ApiProperty({ type: () => ContractChangesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ContractChangesDto)
  changes!: ContractChangesDto;
}

export class TerminateContractDto {
  @CalendarDate('The day it ends by termination', '2026-06-30')
  terminatedOn!: string;

  @Text(1000, { multiline: true, description: 'Why', example: 'Switched vendor', optional: true })
  reason?: string;
}
