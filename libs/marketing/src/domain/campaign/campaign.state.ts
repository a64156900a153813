import { deepFreeze } from '#domain';
import type { Ad, AffiliateSite, CampaignChannel } from './campaign.events.js';

/**
 * What deciding on a campaign's stream needs, and what a "state as of" view shows. Plain JSON (no
 * Map, Set, Date or undefined).
 */
export interface CampaignState {
  launched: boolean;
  ended: boolean;
  name: string | null;
  channel: CampaignChannel | null;
  startsOn: string | null;
  endsOn: string | null;
  budgetMinor: number | null;
  currency: string | null;
  /** In the order added, the launch's first. */
  ads: Ad[];
  /** In the order added, the launch's first. */
  affiliates: AffiliateSite[];
  launchedAt: string | null;
  endedOn: string | null;
  endReason: string | null;
  endedAt: string | null;
}

/** Frozen (deeply): evolve never changes a state, it returns a new one. */
export const initialCampaignState: CampaignState = deepFreeze({
  launched: false,
  ended: false,
  name: null,
  channel: null,
  startsOn: null,
  endsOn: null,
  budgetMinor: null,
  currency: null,
  ads: [],
  affiliates: [],
  launchedAt: null,
  endedOn: null,
  endReason: null,
  endedAt: null,
});
