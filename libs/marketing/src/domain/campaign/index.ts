export * from './campaign.events.js';
export type * from './campaign.commands.js';
export * from './campaign.state.js';
export { campaignDecider, decideCampaign, evolveCampaign } from './campaign.decider.js';
export { campaignStream, campaignIdOfStream } from './campaign.stream.js';
