import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { AGE_BANDS, COMPANY_SIZES, CUSTOMER_SOURCES, CUSTOMER_STAGES, type AgeBand, type CompanySize, type CustomerSource, type CustomerStage } from '#customers/domain';
import { OptionalId, Text } from '#http';
import { AttributionIdsDto } from './tracking.dto.js';

export class AddressDto {
  @Text(200, { description: 'Street and number', example: 'Kaiserstraße 12', optional: true })
  street?: string;
  @Text(100, { description: 'City', example: 'Frankfurt', optional: true })
  city?: string;
  @Text(20, { description: 'Postal code', example: '60311', optional: true })
  postalCode?: string;
  @Text(100, { description: 'Region or state', example: 'Hesse', optional: true })
  region?: string;
  @Text(100, { description: 'Country', example: 'DE', optional: true })
  country?: string;
}

export class ContactDto {
  @Text(200, { description: 'Full name', example: 'Ada Lovelace' })
  name!: string;

  @ApiPropertyOptional({ example: 'ada@example.com', maxLength: 254 })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email?: string;

  @Text(40, { description: 'Phone number', example: '+49 69 1234567', optional: true })
  phone?: string;

  @ApiPropertyOptional({ type: () => AddressDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto;
}

export class CompanyDto {
  @Text(200, { description: 'Company name', example: 'Analytical Engines Ltd', optional: true })
  name?: string;
  @Text(200, { description: 'Department', example: 'Procurement', optional: true })
  department?: string;
  @Text(200, { description: 'Person in charge', example: 'Charles Babbage', optional: true })
  personInCharge?: string;
  @Text(200, { description: 'Their title', example: 'Head of Procurement', optional: true })
  title?: string;
}

export class DemographicsDto {
  @ApiPropertyOptional({ example: 1985, minimum: 1900, maximum: 2100 })
  @IsOptional()
  @IsInt()
  @Min(1900)
  @Max(2100)
  birthYear?: number;

  @ApiPropertyOptional({ enum: AGE_BANDS, example: '35-44' })
  @IsOptional()
  @IsIn(AGE_BANDS)
  ageBand?: AgeBand;

  @Text(50, { description: 'As the person gave it', example: 'female', optional: true })
  gender?: string;
  @Text(100, { description: 'Region', example: 'Hesse', optional: true })
  region?: string;
  @Text(100, { description: 'Industry', example: 'manufacturing', optional: true })
  industry?: string;

  @ApiPropertyOptional({ enum: COMPANY_SIZES, example: '51-200' })
  @IsOptional()
  @IsIn(COMPANY_SIZES)
  companySize?: CompanySize;
}

/** With the campaign, ad and affiliate site that brought them, as a lead-capture form or tracker says. */
export class RegisterCustomerDto extends AttributionIdsDto {
  @OptionalId('The customer id; generated when absent')
  customerId?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_STAGES, default: 'lead' })
  @IsOptional()
  @IsIn(CUSTOMER_STAGES)
  stage?: CustomerStage;

  @ApiProperty({ enum: CUSTOMER_SOURCES, example: 'api' })
  @IsIn(CUSTOMER_SOURCES)
  source!: CustomerSource;

  @ApiProperty({ type: () => ContactDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ContactDto)
  contact!: ContactDto;

  @ApiPropertyOptional({ type: () => CompanyDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CompanyDto)
  company?: CompanyDto;

  @ApiPropertyOptional({ type: () => DemographicsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DemographicsDto)
  demographics?: DemographicsDto;

  @ApiPropertyOptional({ type: [String], example: ['trade-fair-2026', 'enterprise'], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @OptionalId('The sales rep who owns this customer', 'rep-17')
  ownerRepId?: string;

  @OptionalId("The anonymous web visitor this person was (the ad tracker's cookie id): their clicks become this customer's", 'v-7f3a9c2e')
  visitorId?: string;
}
