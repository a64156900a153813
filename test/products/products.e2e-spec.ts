import { productStream } from '#marketing/domain';
import { omit, UTC_TIMESTAMP, type Body } from '#testing';
import { daysFromToday } from '../reps/support.js';
import { describeCrossCutting, rejections, StreamHarness, type Rejection, type StreamContext, type StreamRoute } from '../support/stream-commands.js';

const bodies = {
  list: (sku: string): Body => ({
    sku,
    name: 'Standing desk',
    category: 'furniture',
    currency: 'eur',
    listPriceMinor: 49_900,
    unitCostMinor: 31_000,
    effectiveFrom: '2026-01-01',
  }),
  reprice: (): Body => ({ listPriceMinor: 44_900, unitCostMinor: 29_000, effectiveFrom: daysFromToday(1) }),
  retire: (): Body => ({ reason: 'Discontinued by the maker' }),
};

const PRODUCTS: StreamContext = {
  idKey: 'sku',
  pathParam: 'sku',
  idPrefix: 'SKU',
  streamOf: productStream,
  start: async (harness, sku) => void (await harness.authed().post('/products').send(bodies.list(sku)).expect(201)),
  notFoundReason: 'product_not_found',
  final: { reason: 'product_retired', given: async (harness, sku) => void (await harness.authed().post(`/products/${sku}/retire`).send({}).expect(200)) },
};

const ROUTES = {
  list: {
    name: 'POST /products',
    method: 'post',
    path: () => '/products',
    openApiPath: '/products',
    status: 201,
    event: 'ProductListed',
    body: bodies.list,
    starts: true,
  },
  reprice: {
    name: 'PATCH /products/:sku',
    method: 'patch',
    path: (sku) => `/products/${sku}`,
    openApiPath: '/products/{sku}',
    status: 200,
    event: 'ProductPriceChanged',
    body: bodies.reprice,
  },
  retire: {
    name: 'POST /products/:sku/retire',
    method: 'post',
    path: (sku) => `/products/${sku}/retire`,
    openApiPath: '/products/{sku}/retire',
    status: 200,
    event: 'ProductRetired',
    body: bodies.retire,
  },
} as const satisfies Record<string, StreamRoute>;

describe('product catalog commands', () => {
  let h: StreamHarness;

  beforeAll(async () => {
    h = await StreamHarness.start(PRODUCTS);
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /products', () => {
    const route = ROUTES.list;

    it('lists a product: 201, revision 0, a ProductListed event with the currency upper-cased', async () => {
      const sku = await h.target(route);
      const event = await h.expectAppended(route, sku);
      expect(event.revision).toBe(0);
      expect(event.data).toEqual({
        sku,
        name: 'Standing desk',
        category: 'furniture',
        currency: 'EUR',
        listPriceMinor: 49_900,
        unitCostMinor: 31_000,
        effectiveFrom: '2026-01-01',
        listedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('prices from today when no effectiveFrom is given, and takes a cost above the price (a negative margin)', async () => {
      const sku = await h.target(route);
      const event = await h.expectAppended(route, sku, { body: { ...omit(bodies.list(sku), 'effectiveFrom'), listPriceMinor: 100, unitCostMinor: 250 } });
      expect(event.data).toMatchObject({ listPriceMinor: 100, unitCostMinor: 250, effectiveFrom: (event.data.listedAt as string).slice(0, 10) });
    });

    it.each<Rejection>(
      rejections(PRODUCTS, route, [
        { case: 'without sku', body: (b) => omit(b, 'sku'), status: 400, field: 'sku' },
        { case: 'a sku that is not an id', body: (b) => ({ ...b, sku: 'SKU 1' }), status: 400, field: 'sku' },
        { case: 'without name', body: (b) => omit(b, 'name'), status: 400, field: 'name' },
        { case: 'without category', body: (b) => omit(b, 'category'), status: 400, field: 'category' },
        { case: 'without currency', body: (b) => omit(b, 'currency'), status: 400, field: 'currency' },
        { case: 'a currency that is not a code', body: (b) => ({ ...b, currency: 'EURO' }), status: 400, field: 'currency' },
        { case: 'without list price', body: (b) => omit(b, 'listPriceMinor'), status: 400, field: 'listPriceMinor' },
        { case: 'a negative list price', body: (b) => ({ ...b, listPriceMinor: -1 }), status: 400, field: 'listPriceMinor' },
        { case: 'a string for the list price', body: (b) => ({ ...b, listPriceMinor: '499.00' }), status: 400, field: 'listPriceMinor' },
        { case: 'a fractional unit cost', body: (b) => ({ ...b, unitCostMinor: 310.5 }), status: 400, field: 'unitCostMinor' },
        { case: 'a unit cost over the maximum', body: (b) => ({ ...b, unitCostMinor: 1e13 }), status: 400, field: 'unitCostMinor' },
        { case: 'an effectiveFrom that is not a date', body: (b) => ({ ...b, effectiveFrom: '01.01.2026' }), status: 400, field: 'effectiveFrom' },
        { case: 'a sku already listed', given: PRODUCTS.start, status: 422, reason: 'product_already_listed', field: 'sku' },
        {
          case: 'a sku retired',
          given: async (harness, sku) => {
            await PRODUCTS.start?.(harness, sku);
            await PRODUCTS.final?.given(harness, sku);
          },
          status: 422,
          reason: 'product_retired',
        },
        { case: 'a blank name', body: (b) => ({ ...b, name: '  ' }), status: 422, reason: 'name_required', field: 'name' },
        { case: 'an effectiveFrom that does not exist', body: (b) => ({ ...b, effectiveFrom: '2026-02-30' }), status: 422, reason: 'invalid_date', field: 'effectiveFrom' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('PATCH /products/:sku', () => {
    const route = ROUTES.reprice;
    const reprice = (sku: string, body: Body) => h.authed().patch(`/products/${sku}`).send(body).expect(200);

    it('changes price and cost from a date on: 200 and a ProductPriceChanged event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ listPriceMinor: 44_900, unitCostMinor: 29_000, effectiveFrom: daysFromToday(1), changedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it('changes the cost alone from today, then the price alone later', async () => {
      const sku = await h.target(route);
      const cost = await h.expectAppended(route, sku, { body: { unitCostMinor: 33_000, effectiveFrom: daysFromToday(0) } });
      expect(cost.data).toEqual({ unitCostMinor: 33_000, effectiveFrom: daysFromToday(0), changedAt: expect.stringMatching(UTC_TIMESTAMP) });
      const price = await h.expectAppended(route, sku, { body: { listPriceMinor: 0, effectiveFrom: daysFromToday(30) } });
      expect(price.data).toEqual({ listPriceMinor: 0, effectiveFrom: daysFromToday(30), changedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(PRODUCTS, route, [
        { case: 'without effectiveFrom', body: (b) => omit(b, 'effectiveFrom'), status: 400, field: 'effectiveFrom' },
        { case: 'an effectiveFrom that is not a date', body: (b) => ({ ...b, effectiveFrom: 'tomorrow' }), status: 400, field: 'effectiveFrom' },
        { case: 'a negative list price', body: (b) => ({ ...b, listPriceMinor: -100 }), status: 400, field: 'listPriceMinor' },
        { case: 'a string for the unit cost', body: (b) => ({ ...b, unitCostMinor: '290' }), status: 400, field: 'unitCostMinor' },
        { case: 'a currency (fixed at listing)', body: (b) => ({ ...b, currency: 'USD' }), status: 400, field: 'currency' },
        { case: 'neither price nor cost', body: (b) => omit(b, 'listPriceMinor', 'unitCostMinor'), status: 422, reason: 'price_or_cost_required' },
        { case: 'an effectiveFrom in the past', body: (b) => ({ ...b, effectiveFrom: daysFromToday(-1) }), status: 422, reason: 'price_in_past', field: 'effectiveFrom' },
        {
          case: 'an effectiveFrom not after the latest price’s',
          given: async (_, sku) => void (await reprice(sku, { unitCostMinor: 1, effectiveFrom: daysFromToday(10) })),
          body: (b) => ({ ...b, effectiveFrom: daysFromToday(10) }),
          status: 422,
          reason: 'price_not_after_latest',
          field: 'effectiveFrom',
        },
        { case: 'the price and cost in force already', body: (b) => ({ ...b, listPriceMinor: 49_900, unitCostMinor: 31_000 }), status: 422, reason: 'no_changes' },
        { case: 'an effectiveFrom that does not exist', body: (b) => ({ ...b, effectiveFrom: '2099-02-30' }), status: 422, reason: 'invalid_date', field: 'effectiveFrom' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /products/:sku/retire', () => {
    const route = ROUTES.retire;

    it('retires: 200 and a ProductRetired event with the reason', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ reason: 'Discontinued by the maker', retiredAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it('takes no body at all', async () => {
      const sku = await h.target(route);
      await h.authed().post(`/products/${sku}/retire`).expect(200);
      expect(await h.types(sku)).toEqual(['ProductListed', 'ProductRetired']);
    });

    it.each<Rejection>(rejections(PRODUCTS, route, [{ case: 'a reason that is not text', body: () => ({ reason: 42 }), status: 400, field: 'reason' }]))(
      'refuses $case',
      async (rejection) => {
        await h.expectRejected(route, rejection);
      },
    );
  });

  describeCrossCutting(() => h, Object.values(ROUTES));
});
