import { bodies, CustomersHarness, ROUTES, type Rejection } from '../support/customers.js';

/** Purchase lines name their product's category, for commission plans' per-category rates. */
describe('the category of a purchase line', () => {
  let h: CustomersHarness;
  const route = ROUTES.purchases;
  const withCategories = (...categories: unknown[]) => {
    const purchase = bodies.purchase();
    const [line] = purchase.lines as Record<string, unknown>[];
    return { ...purchase, lines: categories.map((category) => (category === undefined ? line : { ...line, category })) };
  };

  beforeAll(async () => {
    h = await CustomersHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('is carried onto the event, trimmed, on the lines that give one', async () => {
    const event = await h.expectAppended(route, await h.target(route), { body: withCategories(' hardware ', undefined, '  ') });
    const line = { productSku: 'SKU-1001', quantity: 3, unitPriceMinor: 1999, currency: 'EUR' };
    expect(event.data.lines).toEqual([
      { lineNo: 1, ...line, category: 'hardware' },
      { lineNo: 2, ...line },
      { lineNo: 3, ...line },
    ]);
  });

  it.each<Rejection>([
    { case: 'a category that is not text', body: () => withCategories(7), status: 400, field: 'lines.0.category' },
    { case: 'a category over 100 characters', body: () => withCategories('hardware', 'c'.repeat(101)), status: 400, field: 'lines.1.category' },
  ])('refuses $case', async (rejection) => {
    await h.expectRejected(route, rejection);
  });
});
