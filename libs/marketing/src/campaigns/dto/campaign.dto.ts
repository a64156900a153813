import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { CAMPAIGN_CHANNELS, type CampaignChannel } from '#marketing/domain';
import { CalendarDate, CurrencyCode, HttpUrl, MinorAmount, OptionalId, RequiredId, Text } from '#http';
import { StreamCommandResultDto } from '#commands';

/** An ad but its id, which a launch requires and an addition may leave to the server. */
class AdFieldsDto {
  @Text(200, { description: 'Name', example: 'Desks on sale' })
  name!: string;

  @HttpUrl('Where the ad leads', 'https://shop.example.com/desks', true)
  url?: string;
}

export class AdDto extends AdFieldsDto {
  @RequiredId('Id of the ad, distinct within the campaign; clicks name it as adId', 'ad-42')
  adId!: string;
}

export class AddAdDto extends AdFieldsDto {
  @OptionalId('Id of the ad, distinct within the campaign; derived from the command id when absent', 'ad-43')
  adId?: string;
}

/** An affiliate site but its id, which a launch requires and an addition may leave to the server. */
class AffiliateSiteFieldsDto {
  @Text(200, { description: 'Name', example: 'CompareCRM' })
  name!: string;

  @HttpUrl('The site', 'https://compare.example.org')
  url!: string;
}

export class AffiliateSiteDto extends AffiliateSiteFieldsDto {
  @RequiredId('Id of the site, distinct within the campaign; clicks name it as affiliateSiteId', 'affiliate-comparecrm')
  affiliateSiteId!: string;
}

export class AddAffiliateDto extends AffiliateSiteFieldsDto {
  @OptionalId('Id of the site, distinct within the campaign; derived from the command id when absent', 'affiliate-deskblog')
  affiliateSiteId?: string;
}

export class LaunchCampaignDto {
  @OptionalId('The campaign id; generated when absent', 'campaign-spring-2026')
  campaignId?: string;

  @Text(200, { description: 'Name', example: 'Spring sale 2026' })
  name!: string;

  @ApiProperty({ enum: CAMPAIGN_CHANNELS, example: 'search' })
  @IsIn(CAMPAIGN_CHANNELS)
  channel!: CampaignChannel;

  @CalendarDate('First day', '2026-03-01')
  startsOn!: string;

  @CalendarDate('Last day planned, on or after startsOn', '2026-05-31')
  endsOn!: string;

  @MinorAmount('Budget', 2_500_000)
  budgetMinor!: number;

  @CurrencyCode('ISO 4217 currency of the budget')
  currency!: string;

  @ApiPropertyOptional({ type: () => [AdDto], maxItems: 200, description: 'Distinct ad ids' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => AdDto)
  ads?: AdDto[];

  @ApiPropertyOptional({ type: () => [AffiliateSiteDto], maxItems: 200, description: 'Distinct site ids' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => AffiliateSiteDto)
  affiliates?: AffiliateSiteDto[];
}

export class EndCampaignDto {
  @CalendarDate('The last day it ran, not before startsOn; defaults to today (UTC)', '2026-05-15', true)
  endedOn?: string;

  @Text(1000, { multiline: true, description: 'Why', example: 'Budget spent', optional: true })
  reason?: string;
}

export class CampaignCommandResultDto extends StreamCommandResultDto {
  @ApiProperty({ example: 'campaign-spring-2026' })
  campaignId!: string;
}
