import { calendarDate, currencyCode, type Decider, integer, NotFoundError, objectList, oneOf, optionalText, requiredText, requiredTrimmed, stripUndefined, timestamp, violation } from '#domain';
import type { AddAd, AddAffiliate, CampaignCommand, EndCampaign, LaunchCampaign } from './campaign.commands.js';
import { CAMPAIGN_CHANNELS, type Ad, type AffiliateSite, type CampaignEvent } from './campaign.events.js';
import { initialCampaignState, type CampaignState } from './campaign.state.js';

/**
 * The campaign context's write model. `decide` enforces the rules and throws {@link NotFoundError}
 * (`campaign_not_found`) or RuleViolationError (reasons below, with the command field at fault);
 * `evolve` trusts the events it folds.
 */
export const campaignDecider: Decider<CampaignCommand, CampaignEvent, CampaignState> = {
  initialState: initialCampaignState,
  decide: decideCampaign,
  evolve: evolveCampaign,
};

// ================================================================================================
// decide
// ================================================================================================

export function decideCampaign(command: CampaignCommand, state: CampaignState): CampaignEvent[] {
  if (command.type === 'LaunchCampaign') return [stripUndefined(launch(command, state))];
  if (!state.launched) throw new NotFoundError('campaign_not_found', `campaign ${command.campaignId} was not launched`, 'campaignId');
  if (state.ended) violation('campaign_ended', `campaign ${command.campaignId} ended on ${state.endedOn}`);
  // Every event leaves without undefined properties, whatever the branch built.
  return [stripUndefined(decideForRunning(command, state))];
}

function decideForRunning(command: Exclude<CampaignCommand, LaunchCampaign>, state: CampaignState): CampaignEvent {
  switch (command.type) {
    case 'AddAd':
      return addAd(command, state);
    case 'AddAffiliate':
      return addAffiliate(command, state);
    case 'EndCampaign':
      return end(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown campaign command ${(unknown as { type: string }).type}`);
    }
  }
}

function launch(command: LaunchCampaign, state: CampaignState): CampaignEvent {
  if (state.launched) violation('campaign_already_launched', `campaign ${command.campaignId} was launched before`, 'campaignId');
  const startsOn = calendarDate(command.startsOn, 'startsOn');
  const endsOn = calendarDate(command.endsOn, 'endsOn');
  if (endsOn < startsOn) violation('campaign_ends_before_start', `endsOn ${endsOn} is before startsOn ${startsOn}`, 'endsOn');
  const ads = objectList(command.ads, 'ads', ad);
  const repeatedAd = firstRepeat(ads.map((item) => item.adId));
  if (repeatedAd >= 0) violation('duplicate_ad', `ad ${ads[repeatedAd].adId} is listed twice`, `ads[${repeatedAd}].adId`);
  const affiliates = objectList(command.affiliates, 'affiliates', affiliateSite);
  const repeatedSite = firstRepeat(affiliates.map((item) => item.affiliateSiteId));
  if (repeatedSite >= 0) {
    violation('duplicate_affiliate_site', `affiliate site ${affiliates[repeatedSite].affiliateSiteId} is listed twice`, `affiliates[${repeatedSite}].affiliateSiteId`);
  }
  return {
    type: 'CampaignLaunched',
    data: {
      name: requiredTrimmed(command.name, 'name', 'name_required'),
      channel: oneOf(command.channel, CAMPAIGN_CHANNELS, 'channel'),
      startsOn,
      endsOn,
      budgetMinor: integer(command.budgetMinor, 'budgetMinor', 0, 'amount_negative'),
      currency: currencyCode(command.currency, 'currency'),
      ads,
      affiliates,
      launchedAt: timestamp(command.launchedAt, 'launchedAt'),
    },
  };
}

function addAd(command: AddAd, state: CampaignState): CampaignEvent {
  const added = ad(command);
  if (state.ads.some((existing) => existing.adId === added.adId)) {
    violation('ad_already_added', `campaign ${command.campaignId} has an ad ${added.adId} already`, 'adId');
  }
  return { type: 'CampaignAdAdded', data: { ad: added, addedAt: timestamp(command.addedAt, 'addedAt') } };
}

function addAffiliate(command: AddAffiliate, state: CampaignState): CampaignEvent {
  const added = affiliateSite(command);
  if (state.affiliates.some((existing) => existing.affiliateSiteId === added.affiliateSiteId)) {
    violation('affiliate_site_already_added', `campaign ${command.campaignId} has affiliate site ${added.affiliateSiteId} already`, 'affiliateSiteId');
  }
  return { type: 'CampaignAffiliateAdded', data: { affiliate: added, addedAt: timestamp(command.addedAt, 'addedAt') } };
}

function end(command: EndCampaign, state: CampaignState): CampaignEvent {
  const endedOn = calendarDate(command.endedOn, 'endedOn');
  if (state.startsOn !== null && endedOn < state.startsOn) {
    violation('ended_before_start', `endedOn ${endedOn} is before the campaign starts on ${state.startsOn}`, 'endedOn');
  }
  return { type: 'CampaignEnded', data: { endedOn, reason: optionalText(command.reason, 'reason'), endedAt: timestamp(command.endedAt, 'endedAt') } };
}

// ---- input helpers ------------------------------------------------------------------------------

/** What an ad or affiliate site is read from: an item of the launch's list, or an add command itself. */
type Input = Readonly<Partial<Record<'adId' | 'affiliateSiteId' | 'name' | 'url', unknown>>>;

/** `key` within `parent` (`ads[1].adId`), or `key` alone for the command's own fields. */
function path(parent: string | undefined, key: string): string {
  return parent === undefined ? key : `${parent}.${key}`;
}

function ad(input: Input, parent?: string): Ad {
  return {
    adId: requiredText(input.adId, path(parent, 'adId')),
    name: requiredTrimmed(input.name, path(parent, 'name')),
    url: optionalText(input.url, path(parent, 'url')),
  };
}

function affiliateSite(input: Input, parent?: string): AffiliateSite {
  return {
    affiliateSiteId: requiredText(input.affiliateSiteId, path(parent, 'affiliateSiteId')),
    name: requiredTrimmed(input.name, path(parent, 'name')),
    url: requiredText(input.url, path(parent, 'url')),
  };
}

/** The index of the first id that repeats an earlier one; -1 when they are distinct. */
function firstRepeat(ids: readonly string[]): number {
  return ids.findIndex((id, i) => ids.indexOf(id) < i);
}

// ================================================================================================
// evolve
// ================================================================================================

export function evolveCampaign(state: CampaignState, event: CampaignEvent): CampaignState {
  switch (event.type) {
    case 'CampaignLaunched': {
      const { data } = event;
      return {
        ...state,
        launched: true,
        name: data.name,
        channel: data.channel,
        startsOn: data.startsOn,
        endsOn: data.endsOn,
        budgetMinor: data.budgetMinor,
        currency: data.currency,
        ads: data.ads.map((item) => ({ ...item })),
        affiliates: data.affiliates.map((item) => ({ ...item })),
        launchedAt: data.launchedAt,
      };
    }
    case 'CampaignAdAdded':
      return { ...state, ads: [...state.ads, { ...event.data.ad }] };
    case 'CampaignAffiliateAdded':
      return { ...state, affiliates: [...state.affiliates, { ...event.data.affiliate }] };
    case 'CampaignEnded': {
      const { data } = event;
      return { ...state, ended: true, endedOn: data.endedOn, endReason: data.reason ?? null, endedAt: data.endedAt };
    }
    default:
      // An event type this version does not know (written by a newer one): nothing to fold.
      return state;
  }
}
