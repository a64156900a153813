import { declarePersonalData } from '#domain';
import type { CampaignEvent } from './campaign/campaign.events.js';
import type { ProductEvent } from './product/product.events.js';
import type { VisitorEvent } from './visitor/visitor.events.js';

/** Campaigns and the catalog describe the company's offer, nobody in person. */
export const campaignPersonalData = declarePersonalData<CampaignEvent>()({
  CampaignLaunched: {
    personal: [],
    notPersonal: ['name', 'channel', 'startsOn', 'endsOn', 'currency', 'ads[].adId', 'ads[].name', 'ads[].url', 'affiliates[]', 'launchedAt'],
  },
  CampaignAdAdded: { personal: [], notPersonal: ['ad', 'addedAt'] },
  CampaignAffiliateAdded: { personal: [], notPersonal: ['affiliate', 'addedAt'] },
  CampaignEnded: { personal: [], notPersonal: ['endedOn', 'reason', 'endedAt'] },
});

export const productPersonalData = declarePersonalData<ProductEvent>()({
  ProductListed: { personal: [], notPersonal: ['sku', 'name', 'category', 'currency', 'effectiveFrom', 'listedAt'] },
  ProductPriceChanged: { personal: [], notPersonal: ['effectiveFrom', 'changedAt'] },
  ProductRetired: { personal: [], notPersonal: ['reason', 'retiredAt'] },
});

/**
 * An anonymous visitor's clicks, under the visitor stream's own key: the URL a person followed (and
 * its UTM parameters) can carry what they searched for or who they are. A customer's erasure erases the key of every
 * visitor they were, so those clicks stay counted but no longer readable.
 */
export const visitorPersonalData = declarePersonalData<VisitorEvent>()({
  AnonymousClickRecorded: {
    personal: ['url', 'utm'],
    notPersonal: ['clickId', 'kind', 'campaignId', 'adId', 'affiliateSiteId', 'occurredAt'],
  },
});
