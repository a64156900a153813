import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { HttpUrl, IsStringRecord, OccurredAt, OptionalId, RequiredId, Text } from '#http';
import { CLICK_KINDS, type ClickKind } from '#customers/domain';

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

/** Where a prospect came from: campaign, ad, affiliate site. */
export class AttributionIdsDto {
  @OptionalId('Campaign', 'campaign-spring-2026')
  campaignId?: string;
  @OptionalId('Ad within the campaign', 'ad-42')
  adId?: string;
  @OptionalId('Affiliate site that referred them', 'affiliate-comparecrm')
  affiliateSiteId?: string;
}

/** The attribution ids, and the UTM parameters of the link. */
class AttributionDto extends AttributionIdsDto {
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

  @HttpUrl('The link clicked', 'https://shop.example.com/landing?utm_source=newsletter')
  url!: string;

  @OccurredAt()
  occurredAt?: string;
}

export class RecordSiteVisitDto extends AttributionIdsDto {
  @OptionalId('Id of the visit; derived from the command id when absent')
  visitId?: string;

  @HttpUrl('The page visited', 'https://shop.example.com/pricing')
  url!: string;

  @HttpUrl('The page they came from', 'https://www.example.org/', true)
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

  @OptionalId("The anonymous web visitor who submitted it (the ad tracker's cookie id): their clicks become this customer's", 'v-7f3a9c2e')
  visitorId?: string;

  @OccurredAt()
  occurredAt?: string;
}
