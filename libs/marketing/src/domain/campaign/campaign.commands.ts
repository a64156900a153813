import type { CampaignChannel } from './campaign.events.js';

/**
 * Commands to a marketing campaign's stream. The caller chooses ids and timestamps (ISO 8601 with
 * a zone), so the same command always decides the same events; optional properties may be omitted,
 * `undefined` or `null` (all mean "not given"). Dates are `YYYY-MM-DD`; money is integer minor units.
 */
interface CampaignCommandBase {
  campaignId: string;
}

export interface AdInput {
  adId: string;
  name: string;
  url?: string;
}

export interface AffiliateSiteInput {
  affiliateSiteId: string;
  name: string;
  url: string;
}

export interface LaunchCampaign extends CampaignCommandBase {
  type: 'LaunchCampaign';
  name: string;
  channel: CampaignChannel;
  startsOn: string;
  /** On or after startsOn. */
  endsOn: string;
  budgetMinor: number;
  currency: string;
  /** Distinct ad ids; absent reads as none. */
  ads?: AdInput[];
  /** Distinct site ids; absent reads as none. */
  affiliates?: AffiliateSiteInput[];
  launchedAt: string;
}

/** An ad with an id the campaign does not have yet; not once the campaign ended. */
export interface AddAd extends CampaignCommandBase, AdInput {
  type: 'AddAd';
  addedAt: string;
}

/** An affiliate site the campaign does not have yet; not once the campaign ended. */
export interface AddAffiliate extends CampaignCommandBase, AffiliateSiteInput {
  type: 'AddAffiliate';
  addedAt: string;
}

/** Final: an ended campaign takes no further command. */
export interface EndCampaign extends CampaignCommandBase {
  type: 'EndCampaign';
  /** Calendar date, not before the campaign's startsOn. */
  endedOn: string;
  reason?: string;
  endedAt: string;
}

export type CampaignCommand = LaunchCampaign | AddAd | AddAffiliate | EndCampaign;

export type CampaignCommandType = CampaignCommand['type'];
export type CampaignCommandOf<T extends CampaignCommandType> = Extract<CampaignCommand, { type: T }>;
