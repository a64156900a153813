import { visitorStream } from '#marketing/domain';
import { omit, UTC_TIMESTAMP } from '#testing';
import { bodies } from '../support/customers.js';
import { describeCrossCutting, rejections, StreamHarness, type Rejection, type StreamContext, type StreamRoute } from '../support/stream-commands.js';

/** A visitor's stream starts with their first click: no 404, no final state. */
const VISITORS: StreamContext = { idKey: 'visitorId', pathParam: 'visitorId', idPrefix: 'visitor', streamOf: visitorStream };

const ROUTE = {
  name: 'POST /visitors/:visitorId/clicks',
  method: 'post',
  path: (visitorId) => `/visitors/${visitorId}/clicks`,
  openApiPath: '/visitors/{visitorId}/clicks',
  status: 201,
  event: 'AnonymousClickRecorded',
  // The body of a known customer's click.
  body: bodies.click,
  starts: true,
} as const satisfies StreamRoute;

const NO_ZONE = '2026-11-20T14:30:00';

describe('anonymous visitor commands', () => {
  let h: StreamHarness;

  beforeAll(async () => {
    h = await StreamHarness.start(VISITORS);
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /visitors/:visitorId/clicks', () => {
    it('records the first click of a visitor: 201, revision 0, an AnonymousClickRecorded event, the click id derived from the command id', async () => {
      const event = await h.expectAppended(ROUTE, await h.target(ROUTE));
      expect(event.revision).toBe(0);
      expect(event.data).toEqual({
        clickId: event.metadata.commandId,
        kind: 'ad',
        campaignId: 'campaign-spring-2026',
        adId: 'ad-42',
        url: 'https://shop.example.com/landing?utm_source=newsletter',
        utm: { source: 'newsletter', medium: 'email', campaign: 'spring-sale' },
        occurredAt: '2026-11-19T08:00:00.000Z',
      });
    });

    it('records more clicks of the visitor, of every kind, at the time received when none is given', async () => {
      const visitorId = await h.target(ROUTE);
      await h.expectAppended(ROUTE, visitorId);
      const affiliate = await h.expectAppended(ROUTE, visitorId, {
        body: { clickId: 'click-2', kind: 'affiliate_link', affiliateSiteId: 'affiliate-comparecrm', url: 'http://localhost:3000/x' },
      });
      expect(affiliate.data).toEqual({
        clickId: 'click-2',
        kind: 'affiliate_link',
        affiliateSiteId: 'affiliate-comparecrm',
        url: 'http://localhost:3000/x',
        occurredAt: expect.stringMatching(UTC_TIMESTAMP),
      });
      const email = await h.expectAppended(ROUTE, visitorId, { body: { kind: 'email_link', url: 'https://shop.example.com/' } });
      expect(email.data).toMatchObject({ kind: 'email_link', url: 'https://shop.example.com/' });
      expect(await h.types(visitorId)).toEqual(['AnonymousClickRecorded', 'AnonymousClickRecorded', 'AnonymousClickRecorded']);
    });

    it.each<Rejection>(
      rejections(VISITORS, ROUTE, [
        { case: 'without kind', body: (b) => omit(b, 'kind'), status: 400, field: 'kind' },
        { case: 'without url', body: (b) => omit(b, 'url'), status: 400, field: 'url' },
        { case: 'an unknown kind', body: (b) => ({ ...b, kind: 'banner' }), status: 400, field: 'kind' },
        { case: 'a url that is not http(s)', body: (b) => ({ ...b, url: 'ftp://files.example.com/x' }), status: 400, field: 'url' },
        { case: 'a clickId that is not an id', body: (b) => ({ ...b, clickId: 'click 1' }), status: 400, field: 'clickId' },
        { case: 'an adId that is not an id', body: (b) => ({ ...b, adId: 'ad 42' }), status: 400, field: 'adId' },
        { case: 'an unknown utm field', body: (b) => ({ ...b, utm: { source: 'x', gclid: 'y' } }), status: 400, field: 'utm.gclid' },
        {
          case: 'a click id the visitor has recorded',
          given: async (harness, visitorId) => void (await harness.authed().post(`/visitors/${visitorId}/clicks`).send({ ...bodies.click(), clickId: 'click-1' }).expect(201)),
          body: (b) => ({ ...b, clickId: 'click-1' }),
          status: 422,
          reason: 'click_already_recorded',
          field: 'clickId',
        },
        { case: 'an ad click without adId or campaignId', body: (b) => omit(b, 'adId', 'campaignId'), status: 422, reason: 'ad_or_campaign_required', field: 'adId' },
        {
          case: 'an affiliate link click without affiliateSiteId',
          body: (b) => ({ ...b, kind: 'affiliate_link' }),
          status: 422,
          reason: 'affiliate_site_required',
          field: 'affiliateSiteId',
        },
        { case: 'an occurredAt without a time zone', body: (b) => ({ ...b, occurredAt: NO_ZONE }), status: 422, reason: 'invalid_timestamp', field: 'occurredAt' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(ROUTE, rejection);
    });
  });

  describeCrossCutting(() => h, [ROUTE]);
});
