import { nonEmpty, oneOf, optionalText, requiredText, textFields, timestamp, violation } from '#domain';
import type { RecordClick } from './customer.commands.js';
import { CLICK_KINDS, UTM_FIELDS, type LeadClickRecordedData, type Utm } from './customer.events.js';

/** What a click is recorded from: a known customer's (RecordClick) or an anonymous visitor's. */
export type ClickInput = Pick<RecordClick, 'clickId' | 'kind' | 'campaignId' | 'adId' | 'affiliateSiteId' | 'url' | 'utm' | 'occurredAt'>;

/**
 * A click's event data, the same whoever clicked: `ad` clicks need adId or campaignId,
 * `affiliate_link` clicks need affiliateSiteId, so every click can be attributed.
 */
export function clickData(command: ClickInput): LeadClickRecordedData {
  const kind = oneOf(command.kind, CLICK_KINDS, 'kind');
  const campaignId = optionalText(command.campaignId, 'campaignId');
  const adId = optionalText(command.adId, 'adId');
  const affiliateSiteId = optionalText(command.affiliateSiteId, 'affiliateSiteId');
  if (kind === 'ad' && adId === undefined && campaignId === undefined) {
    violation('ad_or_campaign_required', 'an ad click needs adId or campaignId', 'adId');
  }
  if (kind === 'affiliate_link' && affiliateSiteId === undefined) {
    violation('affiliate_site_required', 'an affiliate link click needs affiliateSiteId', 'affiliateSiteId');
  }
  return {
    clickId: requiredText(command.clickId, 'clickId'),
    kind,
    campaignId,
    adId,
    affiliateSiteId,
    url: requiredText(command.url, 'url'),
    utm: utm(command.utm),
    occurredAt: timestamp(command.occurredAt, 'occurredAt'),
  };
}

/** UTM parameters, trimmed; blank ones left out, and none at all reads as undefined. */
export function utm(input: unknown): Utm | undefined {
  return nonEmpty(textFields(input, UTM_FIELDS, 'utm'));
}
