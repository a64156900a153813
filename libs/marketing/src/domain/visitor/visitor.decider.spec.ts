import { RuleViolationError, fold } from '#domain';
import { givenFor } from '#testing';
import {
  initialVisitorState,
  toVisitorEvent,
  visitorDecider,
  visitorIdOfStream,
  visitorStream,
  type RecordAnonymousClick,
  type VisitorEvent,
} from './index.js';

const given = givenFor(visitorDecider);

const VISITOR = 'v-7f3a';
const at = (day: number, time = '10:00:00') => `2024-05-${String(day).padStart(2, '0')}T${time}.000Z`;

const click = (overrides: Record<string, unknown> = {}): RecordAnonymousClick =>
  ({
    type: 'RecordAnonymousClick',
    visitorId: VISITOR,
    clickId: 'cl-1',
    kind: 'ad',
    campaignId: 'spring',
    adId: 'ad-1',
    url: 'https://shop.test/?utm_source=google',
    utm: { source: 'google', medium: 'cpc', term: ' ' },
    occurredAt: '2024-05-03T12:00:00+02:00',
    ...overrides,
  }) as RecordAnonymousClick;

const clicked = (clickId: string): VisitorEvent => ({
  type: 'AnonymousClickRecorded',
  data: { clickId, kind: 'email_link', url: 'https://shop.test/', occurredAt: at(2) },
});

describe('RecordAnonymousClick', () => {
  it('records the first click of a visitor unknown so far, as a customer click is recorded', () => {
    given([])
      .when(click())
      .then([
        {
          type: 'AnonymousClickRecorded',
          data: { clickId: 'cl-1', kind: 'ad', campaignId: 'spring', adId: 'ad-1', url: 'https://shop.test/?utm_source=google', utm: { source: 'google', medium: 'cpc' }, occurredAt: at(3) },
        },
      ]);
  });

  it('records affiliate and e-mail link clicks, and more clicks of the same visitor', () => {
    given([clicked('cl-0')])
      .when(click({ kind: 'affiliate_link', campaignId: undefined, adId: null, affiliateSiteId: 'site-1', utm: {} }))
      .then([{ type: 'AnonymousClickRecorded', data: { clickId: 'cl-1', kind: 'affiliate_link', affiliateSiteId: 'site-1', url: 'https://shop.test/?utm_source=google', occurredAt: at(3) } }]);
    given([clicked('cl-0')])
      .when(click({ kind: 'email_link', campaignId: undefined, adId: undefined, utm: undefined }))
      .then([{ type: 'AnonymousClickRecorded', data: { clickId: 'cl-1', kind: 'email_link', url: 'https://shop.test/?utm_source=google', occurredAt: at(3) } }]);
  });

  it('refuses a click id the visitor has recorded', () => {
    given([clicked('cl-0'), clicked('cl-1')]).when(click()).thenThrows(RuleViolationError, 'click_already_recorded', 'clickId');
  });

  it.each([
    ['an ad click without ad or campaign', { campaignId: undefined, adId: undefined }, 'ad_or_campaign_required', 'adId'],
    ['an affiliate click without site', { kind: 'affiliate_link' }, 'affiliate_site_required', 'affiliateSiteId'],
    ['an unknown kind', { kind: 'banner' }, 'invalid_value', 'kind'],
    ['no click id', { clickId: ' ' }, 'required', 'clickId'],
    ['no url', { url: undefined }, 'required', 'url'],
    ['utm that is not an object', { utm: 'utm_source=x' }, 'invalid_value', 'utm'],
    ['an occurredAt without a zone', { occurredAt: '2024-05-03T12:00:00' }, 'invalid_timestamp', 'occurredAt'],
  ])('refuses %s', (_, overrides, reason, field) => {
    given([]).when(click(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

describe('evolve', () => {
  it('collects the click ids, leaving the initial state as it was', () => {
    const before = structuredClone(initialVisitorState);
    expect(fold(visitorDecider, [clicked('a'), clicked('b')])).toStrictEqual({ clickIds: ['a', 'b'] });
    expect(initialVisitorState).toStrictEqual(before);
  });

  it('skips event types it does not know', () => {
    const state = fold(visitorDecider, [clicked('a')]);
    expect(visitorDecider.evolve(state, { type: 'FromTheFuture', data: {} } as unknown as VisitorEvent)).toBe(state);
    expect(toVisitorEvent({ type: 'FromTheFuture', data: {} })).toBeUndefined();
  });
});

describe('visitor streams', () => {
  it('names streams visitor-<visitorId>', () => {
    expect(visitorStream(VISITOR)).toBe('visitor-v-7f3a');
    expect(visitorIdOfStream('visitor-v-7f3a')).toBe(VISITOR);
    expect(visitorIdOfStream('customer-v-7f3a')).toBeUndefined();
    expect(() => visitorStream('')).toThrow();
  });
});
