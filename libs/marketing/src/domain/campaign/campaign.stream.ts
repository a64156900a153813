import { streamNames } from '#domain';

const names = streamNames('campaign-', 'campaign');

/** The stream of a marketing campaign: `campaign-<id>`. */
export const campaignStream = names.streamOf;

/** The campaign id of a `campaign-<id>` stream, or `undefined` for any other stream. */
export const campaignIdOfStream = names.idOf;
