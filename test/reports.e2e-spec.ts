import type { Role } from '#auth';
import { PROBLEM_TYPES } from '#http';
import { PROBLEM_JSON } from '#testing';
import { startTestApi, type TestApi } from './support/api.js';

type Body = Record<string, unknown>;

const DAY_MS = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);

describe('marketing and sales reports (api + projector in one process)', () => {
  let api: TestApi;
  /** The position of the last command: every report read waits for it. */
  let last: string;
  // Yesterday to tomorrow: today's events, whatever the time of day the test runs.
  const range = () => `from=${day(-1)}&to=${day(1)}&currency=EUR`;

  const as = (role: Role) => ({
    get: (path: string) => api.http.get(path).auth(api.keys[role], { type: 'bearer' }),
    post: (path: string) => api.http.post(path).auth(api.keys[role], { type: 'bearer' }),
  });

  /** Sends a command as the service; keeps the log position it wrote. */
  async function command(path: string, body: Body): Promise<void> {
    const response = await as('service').post(path).send(body);
    expect([200, 201]).toContain(response.status);
    last = (response.body as { position: string }).position;
  }

  /** A report as the analyst reads it, fresh up to the last command. */
  const report = (path: string) => as('analyst').get(path).set('X-Consistent-With', last);

  beforeAll(async () => {
    api = await startTestApi({ withProjector: true });
    await command('/campaigns', {
      campaignId: 'launch',
      name: 'Launch',
      channel: 'search',
      startsOn: day(-30),
      endsOn: day(30),
      budgetMinor: 60_000,
      currency: 'EUR',
      ads: [{ adId: 'ad-1', name: 'Ad one', url: 'https://shop.example.com/a' }],
      affiliates: [{ affiliateSiteId: 'site-1', name: 'Site one', url: 'https://site.example.org' }],
    });
    await command('/products', { sku: 'DESK-1', name: 'Desk', category: 'furniture', currency: 'EUR', listPriceMinor: 10_000, unitCostMinor: 4_000 });
    // A visitor clicks the ad, then registers through the campaign's form and buys two desks below list price; one comes back.
    await command('/visitors/v-1/clicks', { kind: 'ad', campaignId: 'launch', adId: 'ad-1', url: 'https://shop.example.com/a' });
    await command('/customers', {
      customerId: 'buyer-1',
      source: 'web_form',
      contact: { name: 'Ada Lovelace' },
      demographics: { ageBand: '25-34', gender: 'female', region: 'west', industry: 'tech', companySize: '11-50' },
      visitorId: 'v-1',
      campaignId: 'launch',
      adId: 'ad-1',
    });
    await command('/customers/buyer-1/purchases', { orderId: 'o-1', lines: [{ productSku: 'DESK-1', quantity: 2, unitPriceMinor: 9_000, currency: 'EUR' }] });
    await command('/customers/buyer-1/refunds', { orderId: 'o-1', lines: [{ lineNo: 1, quantity: 1 }] });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('reports the campaign and its ad: the visitor’s click is the customer’s, the refund nets the revenue', async () => {
    const response = await report(`/reports/campaigns?${range()}`).expect(200);
    // One click, one prospect, one lead and its conversion; 2 x 9,000 - 9,000 refunded; 60,000 / 1.
    const figures = { clicks: 1, uniqueProspects: 1, leads: 1, conversions: 1, conversionRatePct: 100, revenueMinor: 18_000, refundsMinor: 9_000, netRevenueMinor: 9_000 };
    expect(response.body.items).toEqual([
      {
        campaignId: 'launch',
        name: 'Launch',
        channel: 'search',
        startsOn: day(-30),
        endsOn: day(30),
        budgetMinor: 60_000,
        budgetCurrency: 'EUR',
        ...figures,
        costPerConversionMinor: 60_000,
        ads: [{ adId: 'ad-1', name: 'Ad one', ...figures }],
      },
    ]);
  });

  it('ranks affiliate sites, and credits the campaign under an attribution model', async () => {
    const affiliates = await report(`/reports/affiliates?${range()}`).expect(200);
    expect(affiliates.body.items).toEqual([
      { rank: 1, affiliateSiteId: 'site-1', name: 'Site one', url: 'https://site.example.org', clicks: 0, leads: 0, conversions: 0, revenueMinor: 0, refundsMinor: 0, netRevenueMinor: 0 },
    ]);
    const attribution = await report(`/reports/attribution?${range()}&model=linear&lookbackDays=7`).expect(200);
    expect(attribution.body).toMatchObject({ model: 'linear', lookbackDays: 7 });
    expect(attribution.body.items).toEqual([{ campaignId: 'launch', name: 'Launch', conversions: 1, revenueMinor: 18_000, refundsMinor: 9_000, netRevenueMinor: 9_000 }]);
  });

  it('reports the product, its trend, its margin and the buyer’s segment', async () => {
    const products = await report(`/reports/products?${range()}&priceBucketMinor=500`).expect(200);
    expect(products.body.items).toEqual([
      {
        sku: 'DESK-1',
        name: 'Desk',
        category: 'furniture',
        unitsSold: 2,
        unitsRefunded: 1,
        revenueMinor: 18_000,
        refundsMinor: 9_000,
        netRevenueMinor: 9_000,
        unitsWithListPrice: 2,
        // 10,000 - 9,000 a unit: 10 % of list
        averageDiscountMinor: 1_000,
        averageDiscountPct: 10,
        pricePoints: [{ fromMinor: 9_000, toMinor: 9_499, units: 2, revenueMinor: 18_000 }],
      },
    ]);
    const trends = await report(`/reports/purchase-trends?${range()}&interval=month`).expect(200);
    const units = (trends.body.items as { category: string; units: number; netRevenueMinor: number }[]).filter((row) => row.category === 'furniture');
    // One row per month the range touches (two around a month's end): one desk kept, 9,000, in all.
    expect(units.reduce((sum, row) => sum + row.units, 0)).toBe(1);
    expect(units.reduce((sum, row) => sum + row.netRevenueMinor, 0)).toBe(9_000);

    const profitability = await report(`/reports/profitability?${range()}&segment=region`).expect(200);
    // One desk kept: 9,000 - 4,000; 5,000 / 9,000 = 55.6 %
    const margin = { units: 1, netRevenueMinor: 9_000, costMinor: 4_000, marginMinor: 5_000, marginPct: 55.6 };
    expect(profitability.body.items).toEqual([{ value: 'west', ...margin, products: [{ rank: 1, sku: 'DESK-1', name: 'Desk', ...margin }] }]);

    const demographics = await report(`/reports/demographics?${range()}`).expect(200);
    const buyer = { customers: 1, revenueMinor: 18_000, refundsMinor: 9_000, netRevenueMinor: 9_000 };
    expect(demographics.body).toMatchObject({
      ...buyer,
      dimensions: { ageBand: [{ value: '25-34', ...buyer }], gender: [{ value: 'female', ...buyer }], region: [{ value: 'west', ...buyer }], industry: [{ value: 'tech', ...buyer }], companySize: [{ value: '11-50', ...buyer }] },
    });
  });

  it('answers CSV with format=csv or Accept: text/csv, and JSON otherwise', async () => {
    const byParameter = await report(`/reports/campaigns?${range()}&format=csv`).expect(200);
    expect(byParameter.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(byParameter.headers['content-disposition']).toBe(`attachment; filename="campaigns-${day(-1)}-${day(1)}.csv"`);
    expect(byParameter.headers.vary).toMatch(/Accept/);
    expect(byParameter.text.split('\r\n')).toEqual([
      'campaign_id,ad_id,name,channel,starts_on,ends_on,budget_minor,budget_currency,clicks,unique_prospects,leads,conversions,conversion_rate_pct,cost_per_conversion_minor,revenue_minor,refunds_minor,net_revenue_minor,currency',
      `launch,,Launch,search,${day(-30)},${day(30)},60000,EUR,1,1,1,1,100,60000,18000,9000,9000,EUR`,
      'launch,ad-1,Ad one,,,,,,1,1,1,1,100,,18000,9000,9000,EUR',
      '',
    ]);
    const byAccept = await report(`/reports/products?${range()}`).set('Accept', 'text/csv').expect(200);
    expect(byAccept.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(byAccept.text).toBe(
      'sku,name,category,units_sold,units_refunded,units_with_list_price,average_discount_minor,average_discount_pct,price_points,revenue_minor,refunds_minor,net_revenue_minor,currency\r\n' +
        'DESK-1,Desk,furniture,2,1,2,1000,10,9000-9099:2,18000,9000,9000,EUR\r\n',
    );
    // format wins over Accept.
    const json = await report(`/reports/products?${range()}&format=json`).set('Accept', 'text/csv').expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    for (const path of ['affiliates', 'attribution?model=first-touch&', 'demographics', 'purchase-trends?interval=week&', 'profitability?segment=age-band&']) {
      const [route, parameters = ''] = path.split('?');
      const csv = await report(`/reports/${route}?${parameters}${range()}&format=csv`).expect(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.text.split('\r\n').length).toBeGreaterThan(2);
    }
  });

  it.each([
    ['/reports/campaigns', 'currency'],
    ['/reports/campaigns?currency=EUR&from=2026-02-30', 'from'],
    ['/reports/campaigns?currency=EUR&from=2026-03-02&to=2026-03-01', 'to'],
    ['/reports/affiliates?currency=eur', 'currency'],
    ['/reports/attribution?currency=EUR', 'model'],
    ['/reports/attribution?currency=EUR&model=linear&lookbackDays=0', 'lookbackDays'],
    ['/reports/products?currency=EUR&priceBucketMinor=abc', 'priceBucketMinor'],
    ['/reports/purchase-trends?currency=EUR&interval=day', 'interval'],
    ['/reports/profitability?currency=EUR&segment=gender', 'segment'],
    ['/reports/profitability?currency=EUR&segment=region&top=1000', 'top'],
    ['/reports/demographics?currency=EUR&format=xml', 'format'],
    ['/reports/demographics?currency=EUR&sort=name', 'sort'],
  ])('GET %s answers 400 naming %s', async (path, field) => {
    const response = await as('analyst').get(path).expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.type).toBe(PROBLEM_TYPES.validationFailed);
    // Every error is about that field (a value may break several of its rules).
    expect([...new Set((response.body.errors as { field: string }[]).map((error) => error.field))]).toEqual([field]);
  });

  it.each([
    ['service', 403],
    ['auditor', 403],
    ['analyst', 200],
    ['admin', 200],
  ] as const)('lets role %s read the reports: %i', async (role, status) => {
    await as(role).get('/reports/demographics?currency=EUR').expect(status);
    await as(role).get('/reports/attribution?currency=EUR&model=last-touch').expect(status);
  });

  it('refuses a request without a key', async () => {
    await api.http.get('/reports/campaigns?currency=EUR').expect(401);
  });
});
