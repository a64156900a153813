import { campaignStream } from '#marketing/domain';
import { omit, UTC_TIMESTAMP, type Body } from '#testing';
import { daysFromToday } from '../reps/support.js';
import { describeCrossCutting, rejections, StreamHarness, type Rejection, type StreamContext, type StreamRoute } from '../support/stream-commands.js';

const DESKS_AD = { adId: 'ad-42', name: 'Desks on sale', url: 'https://shop.example.com/desks' };
const COMPARE_SITE = { affiliateSiteId: 'affiliate-comparecrm', name: 'CompareCRM', url: 'https://compare.example.org' };

const bodies = {
  launch: (campaignId: string): Body => ({
    campaignId,
    name: 'Spring sale 2026',
    channel: 'search',
    startsOn: '2026-03-01',
    endsOn: '2026-12-31',
    budgetMinor: 2_500_000,
    currency: 'eur',
    ads: [DESKS_AD],
    affiliates: [COMPARE_SITE],
  }),
  ad: (): Body => ({ adId: 'ad-43', name: 'Chairs too', url: 'https://shop.example.com/chairs' }),
  affiliate: (): Body => ({ affiliateSiteId: 'affiliate-deskblog', name: 'Desk blog', url: 'http://localhost:8080/blog' }),
  end: (): Body => ({ endedOn: '2026-06-30', reason: 'Budget spent' }),
};

const CAMPAIGNS: StreamContext = {
  idKey: 'campaignId',
  pathParam: 'id',
  idPrefix: 'campaign',
  streamOf: campaignStream,
  start: async (harness, id) => void (await harness.authed().post('/campaigns').send(bodies.launch(id)).expect(201)),
  notFoundReason: 'campaign_not_found',
  final: { reason: 'campaign_ended', given: async (harness, id) => void (await harness.authed().post(`/campaigns/${id}/end`).send({}).expect(200)) },
};

const ROUTES = {
  launch: {
    name: 'POST /campaigns',
    method: 'post',
    path: () => '/campaigns',
    openApiPath: '/campaigns',
    status: 201,
    event: 'CampaignLaunched',
    body: bodies.launch,
    starts: true,
  },
  ads: {
    name: 'POST /campaigns/:id/ads',
    method: 'post',
    path: (id) => `/campaigns/${id}/ads`,
    openApiPath: '/campaigns/{id}/ads',
    status: 201,
    event: 'CampaignAdAdded',
    body: bodies.ad,
  },
  affiliates: {
    name: 'POST /campaigns/:id/affiliates',
    method: 'post',
    path: (id) => `/campaigns/${id}/affiliates`,
    openApiPath: '/campaigns/{id}/affiliates',
    status: 201,
    event: 'CampaignAffiliateAdded',
    body: bodies.affiliate,
  },
  end: {
    name: 'POST /campaigns/:id/end',
    method: 'post',
    path: (id) => `/campaigns/${id}/end`,
    openApiPath: '/campaigns/{id}/end',
    status: 200,
    event: 'CampaignEnded',
    body: bodies.end,
  },
} as const satisfies Record<string, StreamRoute>;

describe('campaign commands', () => {
  let h: StreamHarness;

  beforeAll(async () => {
    h = await StreamHarness.start(CAMPAIGNS);
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /campaigns', () => {
    const route = ROUTES.launch;

    it('launches a campaign: 201, revision 0, a CampaignLaunched event with its ads and affiliate sites', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.revision).toBe(0);
      expect(event.data).toEqual({
        name: 'Spring sale 2026',
        channel: 'search',
        startsOn: '2026-03-01',
        endsOn: '2026-12-31',
        budgetMinor: 2_500_000,
        currency: 'EUR',
        ads: [DESKS_AD],
        affiliates: [COMPARE_SITE],
        launchedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('generates the campaign id from the command id; a one-day campaign without budget, ads or sites', async () => {
      const body = { name: 'Trade fair', channel: 'event', startsOn: '2026-09-10', endsOn: '2026-09-10', budgetMinor: 0, currency: 'USD' };
      const response = await h.authed().post('/campaigns').send(body).expect(201);
      const { campaignId } = response.body as { campaignId: string };
      expect(response.body).toEqual({ campaignId, revision: 0, position: expect.any(String) });
      const [event] = await h.events(campaignId);
      expect(event.metadata.commandId).toBe(campaignId);
      expect(event.data).toEqual({ ...body, ads: [], affiliates: [], launchedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(CAMPAIGNS, route, [
        { case: 'a campaignId that is not an id', body: (b) => ({ ...b, campaignId: 'spring sale' }), status: 400, field: 'campaignId' },
        { case: 'without name', body: (b) => omit(b, 'name'), status: 400, field: 'name' },
        { case: 'an unknown channel', body: (b) => ({ ...b, channel: 'radio' }), status: 400, field: 'channel' },
        { case: 'a startsOn that is not a date', body: (b) => ({ ...b, startsOn: '1 March' }), status: 400, field: 'startsOn' },
        { case: 'without endsOn', body: (b) => omit(b, 'endsOn'), status: 400, field: 'endsOn' },
        { case: 'a negative budget', body: (b) => ({ ...b, budgetMinor: -1 }), status: 400, field: 'budgetMinor' },
        { case: 'a string for the budget', body: (b) => ({ ...b, budgetMinor: '25000' }), status: 400, field: 'budgetMinor' },
        { case: 'without currency', body: (b) => omit(b, 'currency'), status: 400, field: 'currency' },
        { case: 'ads that are not a list', body: (b) => ({ ...b, ads: DESKS_AD }), status: 400, field: 'ads' },
        { case: 'an ad without id', body: (b) => ({ ...b, ads: [omit(DESKS_AD, 'adId')] }), status: 400, field: 'ads.0.adId' },
        { case: 'an ad url that is not http(s)', body: (b) => ({ ...b, ads: [{ ...DESKS_AD, url: 'ftp://x.example' }] }), status: 400, field: 'ads.0.url' },
        { case: 'an unknown field in an ad', body: (b) => ({ ...b, ads: [{ ...DESKS_AD, colour: 'red' }] }), status: 400, field: 'ads.0.colour' },
        { case: 'an affiliate site without url', body: (b) => ({ ...b, affiliates: [omit(COMPARE_SITE, 'url')] }), status: 400, field: 'affiliates.0.url' },
        { case: 'a campaign id launched before', given: CAMPAIGNS.start, status: 422, reason: 'campaign_already_launched', field: 'campaignId' },
        { case: 'an end before the start', body: (b) => ({ ...b, endsOn: '2026-02-28' }), status: 422, reason: 'campaign_ends_before_start', field: 'endsOn' },
        {
          case: 'an ad id twice',
          body: (b) => ({ ...b, ads: [DESKS_AD, { ...DESKS_AD, name: 'Other' }] }),
          status: 422,
          reason: 'duplicate_ad',
          field: 'ads.1.adId',
        },
        {
          case: 'an affiliate site twice',
          body: (b) => ({ ...b, affiliates: [COMPARE_SITE, COMPARE_SITE] }),
          status: 422,
          reason: 'duplicate_affiliate_site',
          field: 'affiliates.1.affiliateSiteId',
        },
        { case: 'a blank name', body: (b) => ({ ...b, name: ' ' }), status: 422, reason: 'name_required', field: 'name' },
        { case: 'a startsOn that does not exist', body: (b) => ({ ...b, startsOn: '2026-02-29' }), status: 422, reason: 'invalid_date', field: 'startsOn' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /campaigns/:id/ads', () => {
    const route = ROUTES.ads;

    it('adds an ad: 201 and a CampaignAdAdded event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ ad: bodies.ad(), addedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it('derives the ad id from the command id when none is given; an ad needs no url', async () => {
      const event = await h.expectAppended(route, await h.target(route), { body: { name: 'Radio spot' } });
      expect(event.data).toEqual({ ad: { adId: event.metadata.commandId, name: 'Radio spot' }, addedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(CAMPAIGNS, route, [
        { case: 'without name', body: (b) => omit(b, 'name'), status: 400, field: 'name' },
        { case: 'an adId that is not an id', body: (b) => ({ ...b, adId: 'ad 43' }), status: 400, field: 'adId' },
        { case: 'a url that is not a URL', body: (b) => ({ ...b, url: 'chairs page' }), status: 400, field: 'url' },
        { case: 'the id of an ad of the launch', body: (b) => ({ ...b, adId: DESKS_AD.adId }), status: 422, reason: 'ad_already_added', field: 'adId' },
        {
          case: 'the id of an ad added before',
          given: async (harness, id) => void (await harness.authed().post(`/campaigns/${id}/ads`).send(bodies.ad()).expect(201)),
          status: 422,
          reason: 'ad_already_added',
          field: 'adId',
        },
        { case: 'a blank name', body: (b) => ({ ...b, name: '' }), status: 422, reason: 'required', field: 'name' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /campaigns/:id/affiliates', () => {
    const route = ROUTES.affiliates;

    it('adds an affiliate site: 201 and a CampaignAffiliateAdded event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ affiliate: bodies.affiliate(), addedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it('derives the site id from the command id when none is given', async () => {
      const event = await h.expectAppended(route, await h.target(route), { body: omit(bodies.affiliate(), 'affiliateSiteId') });
      expect(event.data).toMatchObject({ affiliate: { affiliateSiteId: event.metadata.commandId } });
    });

    it.each<Rejection>(
      rejections(CAMPAIGNS, route, [
        { case: 'without url', body: (b) => omit(b, 'url'), status: 400, field: 'url' },
        { case: 'a url that is not http(s)', body: (b) => ({ ...b, url: 'mailto:blog@example.org' }), status: 400, field: 'url' },
        { case: 'a number for name', body: (b) => ({ ...b, name: 7 }), status: 400, field: 'name' },
        {
          case: 'the id of a site the campaign has',
          body: (b) => ({ ...b, affiliateSiteId: COMPARE_SITE.affiliateSiteId }),
          status: 422,
          reason: 'affiliate_site_already_added',
          field: 'affiliateSiteId',
        },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /campaigns/:id/end', () => {
    const route = ROUTES.end;

    it('ends a campaign: 200 and a CampaignEnded event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ endedOn: '2026-06-30', reason: 'Budget spent', endedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it('ends it today when no date is given, and takes no body at all', async () => {
      const id = await h.target(route);
      await h.authed().post(`/campaigns/${id}/end`).expect(200);
      const [, event] = await h.events(id);
      expect(event.data).toEqual({ endedOn: daysFromToday(0), endedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(CAMPAIGNS, route, [
        { case: 'an endedOn that is not a date', body: (b) => ({ ...b, endedOn: 'today' }), status: 400, field: 'endedOn' },
        { case: 'a reason that is not text', body: (b) => ({ ...b, reason: ['a'] }), status: 400, field: 'reason' },
        { case: 'an end before the start', body: (b) => ({ ...b, endedOn: '2026-02-28' }), status: 422, reason: 'ended_before_start', field: 'endedOn' },
        { case: 'an endedOn that does not exist', body: (b) => ({ ...b, endedOn: '2026-06-31' }), status: 422, reason: 'invalid_date', field: 'endedOn' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describeCrossCutting(() => h, Object.values(ROUTES));
});
