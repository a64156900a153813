import { campaignStream, visitorStream, type CampaignEvent, type CampaignLaunchedData, type VisitorEvent } from '#marketing/domain';
import { type ClickKind, type CustomerEvent } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { problemOf, ProjectionTestbed, recordedCustomerEvents, recordedEvents, type TablesDump } from '#testing';
import { marketingProjection } from './marketing.projection.js';
import { MarketingQueries, type CampaignReportRow } from './marketing.queries.js';
import type { MarketingTables } from './marketing.tables.js';

// ---- the log ---------------------------------------------------------------------------------

const campaign = (id: string) => recordedEvents<CampaignEvent>(campaignStream(id));
const visitor = (id: string) => recordedEvents<VisitorEvent>(visitorStream(id));
const customer = (id: string) => recordedCustomerEvents(id);

const launched = (data: Pick<CampaignLaunchedData, 'name' | 'startsOn' | 'endsOn' | 'budgetMinor'> & Partial<CampaignLaunchedData>): CampaignEvent => ({
  type: 'CampaignLaunched',
  data: { channel: 'search', currency: 'EUR', ads: [], affiliates: [], launchedAt: '2026-01-01T00:00:00.000Z', ...data },
});
const registered = (customerId: string, registeredAt: string, source: { campaignId?: string; adId?: string; affiliateSiteId?: string; visitorId?: string } = {}): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: { customerId, stage: 'lead', source: 'web_form', contact: { name: 'Ada' }, tags: [], ...source, registeredAt },
});
let ids = 0;
const ref = (kind: ClickKind, occurredAt: string, source: { campaignId?: string; adId?: string; affiliateSiteId?: string }) => ({
  clickId: `click-${++ids}`,
  kind,
  url: 'https://shop.example/landing',
  ...source,
  occurredAt,
});
const clicked = (kind: ClickKind, occurredAt: string, source: { campaignId?: string; adId?: string; affiliateSiteId?: string }): CustomerEvent => ({
  type: 'LeadClickRecorded',
  data: ref(kind, occurredAt, source),
});
const anonymousClick = (kind: ClickKind, occurredAt: string, source: { campaignId?: string; adId?: string; affiliateSiteId?: string }): VisitorEvent => ({
  type: 'AnonymousClickRecorded',
  data: ref(kind, occurredAt, source),
});
const visited = (campaignId: string, occurredAt: string): CustomerEvent => ({
  type: 'SiteVisitRecorded',
  data: { visitId: `visit-${++ids}`, url: 'https://shop.example/', campaignId, occurredAt },
});
const submitted = (occurredAt: string, extra: { campaignId?: string; visitorId?: string }): CustomerEvent => ({
  type: 'FormSubmissionRecorded',
  data: { submissionId: `form-${++ids}`, formId: 'demo', fields: {}, ...extra, occurredAt },
});
const purchased = (orderId: string, purchasedAt: string, totalMinor: number, currency = 'EUR'): CustomerEvent => ({
  type: 'PurchaseRecorded',
  data: { orderId, lines: [{ lineNo: 1, productSku: 'SKU-1', quantity: 1, unitPriceMinor: totalMinor, currency }], currency, totalMinor, purchasedAt },
});
const refunded = (orderId: string, refundedAt: string, totalMinor: number): CustomerEvent => ({
  type: 'RefundRecorded',
  data: { refundId: `refund-${++ids}`, orderId, lines: [{ lineNo: 1, quantity: 1, amountMinor: totalMinor }], currency: 'EUR', totalMinor, refundedAt },
});

const spring = campaign('spring');
const summer = campaign('summer');
const autumn = campaign('autumn');
const [c1, c2, c3, c4, c5, c6] = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map(customer);
const [v1, v2, v3] = ['v1', 'v2', 'v3'].map(visitor);

/**
 * March 2026, in log order. Two campaigns touch c1; visitor v1 clicks anonymously, registers as c2
 * and clicks again; c6 (visitor v2) is erased and v2 clicks once more; refunds inside and outside
 * the month; a lead of February converting in March. Every expected figure below is worked out
 * by hand from these events.
 */
const LOG: RecordedEvent[] = [
  spring(
    launched({
      name: 'Spring sale',
      startsOn: '2026-03-01',
      endsOn: '2026-04-30',
      budgetMinor: 90_000,
      ads: [
        { adId: 'ad-a', name: 'Banner A' },
        { adId: 'ad-b', name: 'Banner B' },
      ],
      affiliates: [{ affiliateSiteId: 'blog', name: 'Tech blog', url: 'https://blog.example' }],
    }),
  ),
  summer(launched({ name: 'Summer', channel: 'social', startsOn: '2026-03-10', endsOn: '2026-06-30', budgetMinor: 50_000, ads: [{ adId: 'ad-s', name: 'Story' }] })),
  campaign('winter')(launched({ name: 'Winter', startsOn: '2026-01-01', endsOn: '2026-01-31', budgetMinor: 10_000 })),
  autumn(launched({ name: 'Autumn', startsOn: '2026-02-01', endsOn: '2026-05-31', budgetMinor: 20_000 })),
  // Ended before March: not listed for March although planned until May.
  autumn({ type: 'CampaignEnded', data: { endedOn: '2026-02-20', endedAt: '2026-02-20T18:00:00.000Z' } }),
  spring({ type: 'CampaignAdAdded', data: { ad: { adId: 'ad-c', name: 'Banner C' }, addedAt: '2026-03-01T00:00:00.000Z' } }),
  summer({ type: 'CampaignAffiliateAdded', data: { affiliate: { affiliateSiteId: 'deals', name: 'Deals', url: 'https://deals.example' }, addedAt: '2026-03-10T00:00:00.000Z' } }),
  v3(anonymousClick('ad', '2026-01-15T10:00:00.000Z', { campaignId: 'winter' })),

  // c4: a lead of February (spring, ad-b), converting in March.
  c4(registered('c4', '2026-02-20T10:00:00.000Z', { campaignId: 'spring', adId: 'ad-b' })),
  c4(submitted('2026-02-21T10:00:00.000Z', { campaignId: 'summer' })),
  c4(submitted('2026-03-01T10:00:00.000Z', { campaignId: 'spring' })),
  c4(purchased('o6', '2026-03-25T10:00:00.000Z', 4_000)),

  // c1: spring's lead (ad-a), touched by spring and summer.
  c1(registered('c1', '2026-03-02T09:00:00.000Z', { campaignId: 'spring', adId: 'ad-a' })),
  c1(clicked('ad', '2026-03-02T10:00:00.000Z', { campaignId: 'spring', adId: 'ad-a' })),
  c1(clicked('ad', '2026-03-12T10:00:00.000Z', { campaignId: 'summer', adId: 'ad-s' })),
  c1(visited('spring', '2026-03-14T10:00:00.000Z')),
  c1(purchased('o1', '2026-03-15T10:00:00.000Z', 10_000)),
  c1(refunded('o1', '2026-03-20T10:00:00.000Z', 1_000)),
  c1(clicked('ad', '2026-03-24T10:00:00.000Z', { campaignId: 'summer', adId: 'ad-s' })),
  c1(purchased('o2', '2026-03-25T12:00:00.000Z', 6_000)),

  // v1 clicks anonymously, registers as c2 (summer's lead), clicks again.
  v1(anonymousClick('ad', '2026-03-05T09:00:00.000Z', { campaignId: 'summer', adId: 'ad-s' })),
  v1(anonymousClick('affiliate_link', '2026-03-06T09:00:00.000Z', { campaignId: 'spring', affiliateSiteId: 'blog' })),
  c2(registered('c2', '2026-03-07T09:00:00.000Z', { campaignId: 'summer', adId: 'ad-s', visitorId: 'v1' })),
  v1(anonymousClick('ad', '2026-03-08T09:00:00.000Z', { campaignId: 'summer', adId: 'ad-s' })),
  c2(visited('summer', '2026-03-09T11:00:00.000Z')),
  c2(purchased('o3', '2026-03-09T12:00:00.000Z', 20_000)),

  // c3: spring's lead through the blog; first purchase in USD.
  c3(registered('c3', '2026-03-03T09:00:00.000Z', { campaignId: 'spring', affiliateSiteId: 'blog' })),
  c3(clicked('affiliate_link', '2026-03-03T08:00:00.000Z', { campaignId: 'spring', affiliateSiteId: 'blog' })),
  c3(purchased('o4', '2026-03-20T10:00:00.000Z', 7_000, 'USD')),
  c3(purchased('o5', '2026-03-22T10:00:00.000Z', 3_000)),

  // c5: no source; clicks naming only an ad: ad-b is spring's, ad-x nobody's.
  c5(registered('c5', '2026-03-04T09:00:00.000Z')),
  c5(clicked('ad', '2026-03-04T10:00:00.000Z', { adId: 'ad-b' })),
  c5(clicked('ad', '2026-03-04T11:00:00.000Z', { adId: 'ad-x' })),
  c5(purchased('o7', '2026-03-06T10:00:00.000Z', 2_000)),

  // v2 clicks, registers as c6, who is erased; v2's next click stays anonymous.
  v2(anonymousClick('ad', '2026-03-10T10:00:00.000Z', { campaignId: 'summer', adId: 'ad-s' })),
  c6(registered('c6', '2026-03-11T10:00:00.000Z', { visitorId: 'v2' })),
  c6({ type: 'CustomerErased', data: { erasedAt: '2026-03-12T10:00:00.000Z' } }),
  v2(anonymousClick('ad', '2026-03-13T10:00:00.000Z', { campaignId: 'summer', adId: 'ad-s' })),

  // April: outside the month.
  c1(refunded('o2', '2026-04-02T10:00:00.000Z', 2_000)),
];

const TABLES = ['campaigns', 'ads', 'affiliate_sites', 'customers', 'visitors', 'prospect_clicks', 'touches', 'acquisitions', 'revenue_entries'] as const;
type Dump = TablesDump<(typeof TABLES)[number]>;

const MARCH = { from: '2026-03-01', to: '2026-03-31', currency: 'EUR' };

describe('marketing attribution', () => {
  let bed: ProjectionTestbed<MarketingTables, (typeof TABLES)[number]>;
  let live: Dump;
  let queries: MarketingQueries;

  beforeAll(async () => {
    // As a live projector would: batches cut anywhere in the log.
    bed = await ProjectionTestbed.open(marketingProjection, TABLES, LOG, 7);
    live = await bed.dump();
    queries = new MarketingQueries(bed.db, bed.schema);
  });

  afterAll(() => bed?.close());

  describe('projection', () => {
    it("moves an identified visitor's clicks and touches, earlier and later, to the customer; an erased customer's visitor stays anonymous after", () => {
      expect(live.visitors).toEqual([
        { visitor_id: 'v1', revision: 2, customer_id: 'c2', released: false },
        { visitor_id: 'v2', revision: 1, customer_id: null, released: true },
        { visitor_id: 'v3', revision: 0, customer_id: null, released: false },
      ]);
      const prospects = (campaignId: string) => live.prospect_clicks.filter((row) => row.campaign_id === campaignId).map((row) => [row.prospect, row.day, row.clicks]);
      expect(prospects('summer')).toEqual([
        ['c:c1', '2026-03-12', 1],
        ['c:c1', '2026-03-24', 1],
        ['c:c2', '2026-03-05', 1],
        ['c:c2', '2026-03-08', 1],
        ['c:c6', '2026-03-10', 1],
        ['v:v2', '2026-03-13', 1],
      ]);
      const anonymous = live.touches.filter((row) => String(row.prospect).startsWith('v:')).map((row) => [row.prospect, row.campaign_id]);
      expect(anonymous.sort()).toEqual([
        ['v:v2', 'summer'],
        ['v:v3', 'winter'],
      ]);
      // The ad-only click of ad-x counts nowhere: 4 spring clicks + 6 summer + 1 winter.
      expect(live.prospect_clicks.reduce((sum, row) => sum + Number(row.clicks), 0)).toBe(11);
    });

    it('writes the same rows whether the log comes in one batch, two, or one event at a time', async () => {
      expect(await bed.rebuild(2, LOG.length)).toEqual(live);
      expect(await bed.rebuild(3, Math.ceil(LOG.length / 2))).toEqual(live);
      expect(await bed.rebuild(4, 1)).toEqual(live);
    });

    it('ignores events it applied already', async () => {
      await bed.apply(LOG.slice(10, 30));
      await bed.apply(LOG.slice(-4));
      expect(await bed.dump()).toEqual(live);
    });
  });

  describe('campaigns', () => {
    it('reports each campaign running or active in the range, and its ads, by hand', async () => {
      const zero = { clicks: 0, uniqueProspects: 0, leads: 0, conversions: 0, conversionRatePct: null, revenueMinor: 0, refundsMinor: 0, netRevenueMinor: 0 };
      const report = await queries.campaigns(MARCH);
      expect(report).toEqual({
        ...MARCH,
        items: [
          {
            campaignId: 'spring',
            name: 'Spring sale',
            channel: 'search',
            startsOn: '2026-03-01',
            endsOn: '2026-04-30',
            budgetMinor: 90_000,
            budgetCurrency: 'EUR',
            // c1 (ad-a), c2 (v1's blog click), c3 (blog), c5 (ad-b, named by its ad only)
            clicks: 4,
            uniqueProspects: 4,
            // c1 and c3 registered in March (c4 in February)
            leads: 2,
            // first purchases of c1 (o1), c3 (o4, in USD) and c4 (o6)
            conversions: 3,
            // 3 / 2: c4's lead was in February
            conversionRatePct: 150,
            // c1 10,000 + 6,000; c3 3,000 (o4 is USD); c4 4,000
            revenueMinor: 23_000,
            // c1's 1,000 of 20 March (2,000 of 2 April is outside)
            refundsMinor: 1_000,
            netRevenueMinor: 22_000,
            // 90,000 / 3
            costPerConversionMinor: 30_000,
            ads: [
              // c1: 16,000 - 1,000
              { adId: 'ad-a', name: 'Banner A', clicks: 1, uniqueProspects: 1, leads: 1, conversions: 1, conversionRatePct: 100, revenueMinor: 16_000, refundsMinor: 1_000, netRevenueMinor: 15_000 },
              // c5's click; c4's conversion, lead in February: 1 / 0
              { adId: 'ad-b', name: 'Banner B', clicks: 1, uniqueProspects: 1, leads: 0, conversions: 1, conversionRatePct: null, revenueMinor: 4_000, refundsMinor: 0, netRevenueMinor: 4_000 },
              { adId: 'ad-c', name: 'Banner C', ...zero },
            ],
          },
          {
            campaignId: 'summer',
            name: 'Summer',
            channel: 'social',
            startsOn: '2026-03-10',
            endsOn: '2026-06-30',
            budgetMinor: 50_000,
            budgetCurrency: 'EUR',
            // c1 twice, c2 twice (once as v1), c6 (as v2), v2 after the erasure
            clicks: 6,
            uniqueProspects: 4,
            leads: 1,
            conversions: 1,
            conversionRatePct: 100,
            // c2's o3
            revenueMinor: 20_000,
            refundsMinor: 0,
            netRevenueMinor: 20_000,
            // 50,000 / 1
            costPerConversionMinor: 50_000,
            ads: [{ adId: 'ad-s', name: 'Story', clicks: 6, uniqueProspects: 4, leads: 1, conversions: 1, conversionRatePct: 100, revenueMinor: 20_000, refundsMinor: 0, netRevenueMinor: 20_000 }],
          },
        ],
      });
    });

    it('lists a campaign of another range by its dates, without conversions no cost per conversion', async () => {
      const january = await queries.campaigns({ from: '2026-01-01', to: '2026-01-31', currency: 'EUR' });
      expect(january.items).toEqual([
        {
          campaignId: 'winter',
          name: 'Winter',
          channel: 'search',
          startsOn: '2026-01-01',
          endsOn: '2026-01-31',
          budgetMinor: 10_000,
          budgetCurrency: 'EUR',
          // v3's anonymous click
          clicks: 1,
          uniqueProspects: 1,
          leads: 0,
          conversions: 0,
          conversionRatePct: null,
          revenueMinor: 0,
          refundsMinor: 0,
          netRevenueMinor: 0,
          costPerConversionMinor: null,
          ads: [],
        },
      ]);
      // Money in USD: c3's o4 only.
      const usd = await queries.campaigns({ ...MARCH, currency: 'USD' });
      expect(usd.items.map((row: CampaignReportRow) => [row.campaignId, row.conversions, row.revenueMinor, row.netRevenueMinor])).toEqual([
        ['spring', 3, 7_000, 7_000],
        ['summer', 1, 0, 0],
      ]);
    });
  });

  describe('affiliates', () => {
    it('ranks every affiliate site by net revenue, by hand', async () => {
      expect(await queries.affiliates(MARCH)).toEqual({
        ...MARCH,
        items: [
          // v1's click (c2's) and c3's; c3 registered through it and converted (o4, USD); o5 is EUR.
          { rank: 1, affiliateSiteId: 'blog', name: 'Tech blog', url: 'https://blog.example', clicks: 2, leads: 1, conversions: 1, revenueMinor: 3_000, refundsMinor: 0, netRevenueMinor: 3_000 },
          { rank: 2, affiliateSiteId: 'deals', name: 'Deals', url: 'https://deals.example', clicks: 0, leads: 0, conversions: 0, revenueMinor: 0, refundsMinor: 0, netRevenueMinor: 0 },
        ],
      });
    });
  });

  describe('attribution', () => {
    // Touches within 30 days before each purchase of March (oldest first):
    //   o1 (c1, 15 Mar) and its refund:  spring, summer, spring     -> 10,000 and -1,000, a conversion
    //   o2 (c1, 25 Mar):                 spring, summer, spring, summer  -> 6,000
    //   o3 (c2, 9 Mar):                  summer, spring, summer, summer  -> 20,000, a conversion
    //   o4 (c3, USD), o5 (c3), o6 (c4; summer's form of 21 Feb is 32 days before), o7 (c5):
    //                                    spring                      -> 3,000 + 4,000 + 2,000, three conversions
    const attribution = (model: 'first-touch' | 'last-touch' | 'linear', lookbackDays = 30) => queries.attribution({ ...MARCH, model, lookbackDays });

    it('first touch: all to the oldest touch', async () => {
      expect(await attribution('first-touch')).toEqual({
        ...MARCH,
        model: 'first-touch',
        lookbackDays: 30,
        items: [
          // o1 10,000 (refund 1,000) + o2 6,000 + 9,000; conversions o1, o4, o6, o7
          { campaignId: 'spring', name: 'Spring sale', conversions: 4, revenueMinor: 25_000, refundsMinor: 1_000, netRevenueMinor: 24_000 },
          // o3
          { campaignId: 'summer', name: 'Summer', conversions: 1, revenueMinor: 20_000, refundsMinor: 0, netRevenueMinor: 20_000 },
        ],
      });
    });

    it('last touch: all to the latest touch', async () => {
      expect((await attribution('last-touch')).items).toEqual([
        // o1 10,000 (refund 1,000) + 9,000; conversions o1, o4, o6, o7
        { campaignId: 'spring', name: 'Spring sale', conversions: 4, revenueMinor: 19_000, refundsMinor: 1_000, netRevenueMinor: 18_000 },
        // o2 6,000 + o3 20,000
        { campaignId: 'summer', name: 'Summer', conversions: 1, revenueMinor: 26_000, refundsMinor: 0, netRevenueMinor: 26_000 },
      ]);
    });

    it('linear: a share per touch, split exactly', async () => {
      // o1: spring 2/3, summer 1/3: 6,667 + 3,333 (conversion 0.6667 + 0.3333); refund 667 + 333.
      // o2: 3,000 + 3,000. o3: summer 3/4, spring 1/4: 15,000 + 5,000 (conversion 0.75 + 0.25).
      expect((await attribution('linear')).items).toEqual([
        // 6,667 + 3,000 + 5,000 + 9,000; 0.6667 + 0.25 + 3
        { campaignId: 'spring', name: 'Spring sale', conversions: 3.9167, revenueMinor: 23_667, refundsMinor: 667, netRevenueMinor: 23_000 },
        // 3,333 + 3,000 + 15,000; 0.3333 + 0.75
        { campaignId: 'summer', name: 'Summer', conversions: 1.0833, revenueMinor: 21_333, refundsMinor: 333, netRevenueMinor: 21_000 },
      ]);
    });

    it('counts only touches within the window: a longer one reaches back, a shorter one leaves purchases unattributed', async () => {
      // 60 days: o6's first touch is summer's form of 21 February.
      expect((await attribution('first-touch', 60)).items).toEqual([
        // o1 10,000 (refund 1,000) + o2 6,000 + o5 3,000 + o7 2,000; conversions o1, o4, o7
        { campaignId: 'spring', name: 'Spring sale', conversions: 3, revenueMinor: 21_000, refundsMinor: 1_000, netRevenueMinor: 20_000 },
        // o3 20,000 + o6 4,000
        { campaignId: 'summer', name: 'Summer', conversions: 2, revenueMinor: 24_000, refundsMinor: 0, netRevenueMinor: 24_000 },
      ]);
      // One day: o1 keeps spring's visit exactly 24 h before; o3 summer's visit an hour before; the rest have none.
      expect((await attribution('last-touch', 1)).items).toEqual([
        { campaignId: 'spring', name: 'Spring sale', conversions: 1, revenueMinor: 10_000, refundsMinor: 1_000, netRevenueMinor: 9_000 },
        { campaignId: 'summer', name: 'Summer', conversions: 1, revenueMinor: 20_000, refundsMinor: 0, netRevenueMinor: 20_000 },
        // o2 6,000 + o5 3,000 + o6 4,000 + o7 2,000; conversions o4, o6, o7
        { campaignId: null, name: null, conversions: 3, revenueMinor: 15_000, refundsMinor: 0, netRevenueMinor: 15_000 },
      ]);
    });
  });

  it('refuses bad parameters with a 400 naming each field', async () => {
    const cases: [Promise<unknown>, string[]][] = [
      [queries.campaigns({ from: '2026-03-31', to: '2026-03-01', currency: 'EUR' }), ['to']],
      [queries.affiliates({ from: '2026-02-30', to: '2026-03-01', currency: 'euro' }), ['from', 'currency']],
      [queries.attribution({ ...MARCH, model: 'u-shaped' as 'linear', lookbackDays: 0 }), ['model', 'lookbackDays']],
      [queries.attribution({ ...MARCH, model: 'linear', lookbackDays: 366 }), ['lookbackDays']],
    ];
    for (const [promise, fields] of cases) expect(await problemOf(promise)).toMatchObject({ status: 400, errors: fields.map((field) => ({ field })) });
  });
});
