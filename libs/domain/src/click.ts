import { nonEmpty, oneOf, optionalText, requiredText, textFields, timestamp, violation } from './validation.js';

/**
 * Clicks on ads, e-mail links and affiliate links: the same vocabulary whether a known customer
 * (customers) or an anonymous visitor (marketing) clicked, so it lives in the kernel.
 */

export const CLICK_KINDS = ['ad', 'email_link', 'affiliate_link'] as const;
export type ClickKind = (typeof CLICK_KINDS)[number];

export interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}
export const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const satisfies readonly (keyof Utm)[];

/** A click as recorded, whoever clicked. */
export interface ClickData {
  clickId: string;
  kind: ClickKind;
  campaignId?: string;
  adId?: string;
  affiliateSiteId?: string;
  url: string;
  utm?: Utm;
  occurredAt: string;
}

/** What a click is recorded from (a command's fields, unchecked). */
export type ClickInput = ClickData;

/**
 * A click's event data, the same whoever clicked: `ad` clicks need adId or campaignId,
 * `affiliate_link` clicks need affiliateSiteId, so every click can be attributed.
 */
export function clickData(command: ClickInput): ClickData {
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

