import { ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { CompanyDto, ContactDto, DemographicsDto, RegisterCustomerDto } from './register-customer.dto.js';

/** Contact changes: a value sets it, `null` clears it (not the name), absent keeps it. */
export class ContactChangesDto extends PartialType(ContactDto) {}

export class UpdateProfileDto extends PickType(RegisterCustomerDto, ['tags'] as const) {
  @ApiPropertyOptional({ type: () => ContactChangesDto, description: 'Fields to change; `null` clears one' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ContactChangesDto)
  contact?: ContactChangesDto;

  @ApiPropertyOptional({ type: () => CompanyDto, description: 'Fields to change; `null` clears one' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CompanyDto)
  company?: CompanyDto;

  @ApiPropertyOptional({ type: () => DemographicsDto, description: 'Fields to change; `null` clears one' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DemographicsDto)
  demographics?: DemographicsDto;
}
