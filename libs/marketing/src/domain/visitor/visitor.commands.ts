import type { ClickInput } from '#domain';

/**
 * A click of an anonymous web visitor (stream `visitor-<visitorId>`), someone not known yet,
 * checked as a known customer's click is (`ad` clicks need adId or campaignId, `affiliate_link`
 * clicks affiliateSiteId). As elsewhere, the caller chooses ids and timestamps; optional properties
 * may be omitted, `undefined` or `null`. A click id is recorded once per visitor.
 */
export interface RecordAnonymousClick extends ClickInput {
  type: 'RecordAnonymousClick';
  visitorId: string;
}

export type VisitorCommand = RecordAnonymousClick;

export type VisitorCommandType = VisitorCommand['type'];
