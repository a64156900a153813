import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsUrl, Max, Min, ValidateNested } from 'class-validator';
import { CLICK_KINDS, type ClickKind } from '#domain';
import { IsStringRecord } from '../../http/string-record.js';
import { OccurredAt, OptionalId, RequiredId, Text } from './fields.js';

export class UtmDto {
  @Text(200, { description: 'utm_source', example: 'newsletter', optional: true })
  source?: string;
  @Text(200, { description: 'utm_medium', example: 'email', optional: true })
  medium?: string;
  @Text(200, { description: 'utm_campaign', example: 'spring-sale', optional: true })
  campaign?: string;
  @Text(200, { description: 'utm_term', optional: true })
  term?: string;
  @Text(200, { description: 'utm_content', optional: true })
  content?: string;
}

const URL_OPTIONS = { require_protocol: true, protocols: ['http', 'https'], require_tld: false };

/** Where a prospect came from: campaign, ad, affiliate site. */
class AttributionDto {
  @OptionalId('Campaign', 'campaign-spring-2026')
  campaignId?: string;
  @OptionalId('Ad within the campaign', 'ad-42')
  adId?: string;
  @OptionalId('Affiliate site that referred them', 'affiliate-comparecrm')
  affiliateSiteId?: string;

  @ApiPropertyOptional({ type: () => UtmDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => UtmDto)
  utm?: UtmDto;
}

export class RecordClickDto extends AttributionDto {
  @OptionalId('Id of the click; derived from the command id when absent')
  clickId?: string;

  @ApiProperty({ enum: CLICK_KINDS, example: 'ad', description: '`ad` needs adId or campaignId; `affiliate_link` needs affiliateSiteId' })
  @IsIn(CLICK_KINDS)
  kind!: ClickKind;

  @ApiProperty({ example: 'https://shop.example.com/landing?utm_source=newsletter', maxLength: 2048 })
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  url!: string;

  @OccurredAt()
  occurredAt?: string;
}

export class RecordSiteVisitDto {
  @OptionalId('Id of the visit; derived from the command id when absent')
  visitId?: string;

  @ApiProperty({ example: 'https://shop.example.com/pricing', maxLength: 2048 })
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  url!: string;

  @ApiPropertyOptional({ example: 'https://www.example.org/', maxLength: 2048 })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'referrer must be an http(s) URL' })
  referrer?: string;

  @ApiPropertyOptional({ example: 4, minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  pageCount?: number;

  @ApiPropertyOptional({ example: 180, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  durationSeconds?: number;

  @OptionalId('Campaign that brought them', 'campaign-spring-2026')
  campaignId?: string;

  @OccurredAt()
  occurredAt?: string;
}

export class RecordFormSubmissionDto extends AttributionDto {
  @OptionalId('Id of the submission; derived from the command id when absent')
  submissionId?: string;

  @RequiredId('The form', 'contact-us')
  formId!: string;

  @ApiProperty({ example: { message: 'Please call me back', company: 'Analytical Engines Ltd' }, additionalProperties: { type: 'string' } })
  @IsStringRecord({ maxEntries: 50, maxKeyLength: 100, maxValueLength: 4000 })
  fields!: Record<string, string>;

  @OccurredAt()
  occurredAt?: string;
}
