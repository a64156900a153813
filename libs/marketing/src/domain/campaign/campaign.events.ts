/**
 * Events of a marketing campaign's stream (`campaign-<id>`). Money is integer minor units; dates
 * `YYYY-MM-DD`; timestamps ISO 8601 with a zone.
 */

export const CAMPAIGN_CHANNELS = ['search', 'social', 'display', 'email', 'affiliate', 'print', 'event', 'other'] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];

export interface Ad {
  adId: string;
  name: string;
  /** Where the ad leads. */
  url?: string;
}

export interface AffiliateSite {
  affiliateSiteId: string;
  name: string;
  url: string;
}

export interface CampaignLaunchedData {
  name: string;
  channel: CampaignChannel;
  startsOn: string;
  /** On or after startsOn. */
  endsOn: string;
  budgetMinor: number;
  currency: string;
  /** Ad ids distinct within the campaign. */
  ads: Ad[];
  /** Site ids distinct within the campaign. */
  affiliates: AffiliateSite[];
  launchedAt: string;
}

export interface CampaignAdAddedData {
  ad: Ad;
  addedAt: string;
}

export interface CampaignAffiliateAddedData {
  affiliate: AffiliateSite;
  addedAt: string;
}

export interface CampaignEndedData {
  endedOn: string;
  reason?: string;
  endedAt: string;
}

export type CampaignEvent =
  | { type: 'CampaignLaunched'; data: CampaignLaunchedData }
  | { type: 'CampaignAdAdded'; data: CampaignAdAddedData }
  | { type: 'CampaignAffiliateAdded'; data: CampaignAffiliateAddedData }
  | { type: 'CampaignEnded'; data: CampaignEndedData };

export type CampaignEventType = CampaignEvent['type'];

export const CAMPAIGN_EVENT_SCHEMA_VERSION = {
  CampaignLaunched: 1,
  CampaignAdAdded: 1,
  CampaignAffiliateAdded: 1,
  CampaignEnded: 1,
} as const satisfies Record<CampaignEventType, number>;

export function isCampaignEventType(type: string): type is CampaignEventType {
  return Object.hasOwn(CAMPAIGN_EVENT_SCHEMA_VERSION, type);
}

export function toCampaignEvent(event: { readonly type: string; readonly data: object }): CampaignEvent | undefined {
  return isCampaignEventType(event.type) ? ({ type: event.type, data: event.data } as CampaignEvent) : undefined;
}
