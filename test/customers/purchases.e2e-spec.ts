import { omit, UTC_TIMESTAMP } from '#testing';
import { bodies, CustomersHarness, ORDER_ID, rejections, ROUTES, type Rejection } from '../support/customers.js';

const line = (overrides: Record<string, unknown> = {}) => ({ productSku: 'SKU-1001', quantity: 1, unitPriceMinor: 100, currency: 'EUR', ...overrides });

describe('purchase and refund commands', () => {
  let h: CustomersHarness;

  beforeAll(async () => {
    h = await CustomersHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /customers/:id/purchases', () => {
    const route = ROUTES.purchases;

    it('records a purchase: 201 and a PurchaseRecorded event with numbered lines, currency and total', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        orderId: ORDER_ID,
        lines: [
          { lineNo: 1, productSku: 'SKU-1001', quantity: 3, unitPriceMinor: 1999, currency: 'EUR' },
          { lineNo: 2, productSku: 'SKU-2002', quantity: 1, unitPriceMinor: 500, currency: 'EUR' },
        ],
        currency: 'EUR',
        totalMinor: 3 * 1999 + 500,
        repId: 'rep-17',
        purchasedAt: '2026-11-22T10:00:00.000Z',
        specialInstructions: 'Deliver to the loading dock',
      });
    });

    it('records further orders of the same customer, purchasedAt defaulting to now', async () => {
      const target = await h.target(route);
      await h.expectAppended(route, target);
      const second = await h.expectAppended(route, target, { body: { orderId: 'order-2', lines: [line({ unitPriceMinor: 0 })] } });
      expect(second.data).toEqual({
        orderId: 'order-2',
        lines: [{ lineNo: 1, productSku: 'SKU-1001', quantity: 1, unitPriceMinor: 0, currency: 'EUR' }],
        currency: 'EUR',
        totalMinor: 0,
        purchasedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without orderId', body: (b) => omit(b, 'orderId'), status: 400, field: 'orderId' },
        { case: 'without lines', body: (b) => omit(b, 'lines'), status: 400, field: 'lines' },
        { case: 'without a line productSku', body: (b) => ({ ...b, lines: [omit(line(), 'productSku')] }), status: 400, field: 'lines.0.productSku' },
        { case: 'a number for orderId', body: (b) => ({ ...b, orderId: 42 }), status: 400, field: 'orderId' },
        { case: 'a string for lines', body: (b) => ({ ...b, lines: 'SKU-1001 x 3' }), status: 400, field: 'lines' },
        { case: 'a string for a quantity', body: (b) => ({ ...b, lines: [line(), line({ quantity: '2' })] }), status: 400, field: 'lines.1.quantity' },
        { case: 'a quantity of 0', body: (b) => ({ ...b, lines: [line({ quantity: 0 })] }), status: 400, field: 'lines.0.quantity' },
        { case: 'a fractional price', body: (b) => ({ ...b, lines: [line({ unitPriceMinor: 19.99 })] }), status: 400, field: 'lines.0.unitPriceMinor' },
        { case: 'a negative price', body: (b) => ({ ...b, lines: [line({ unitPriceMinor: -1 })] }), status: 400, field: 'lines.0.unitPriceMinor' },
        { case: 'a currency that is not a code', body: (b) => ({ ...b, lines: [line({ currency: 'EURO' })] }), status: 400, field: 'lines.0.currency' },
        { case: 'an unknown field in a line', body: (b) => ({ ...b, lines: [line({ colour: 'red' })] }), status: 400, field: 'lines.0.colour' },
        { case: 'more than 500 lines', body: (b) => ({ ...b, lines: Array.from({ length: 501 }, () => line()) }), status: 400, field: 'lines' },
        { case: 'a purchasedAt that is not a timestamp', body: (b) => ({ ...b, purchasedAt: '22.11.2026' }), status: 400, field: 'purchasedAt' },
        {
          case: 'an order id already recorded',
          given: async (harness, target) => void (await harness.authed().post(`/customers/${target.customerId}/purchases`).send(bodies.purchase(ORDER_ID)).expect(201)),
          body: (b) => ({ ...b, lines: [line()] }),
          status: 422,
          reason: 'order_already_recorded',
          field: 'orderId',
        },
        {
          case: 'lines in mixed currencies',
          body: (b) => ({ ...b, lines: [line(), line({ currency: 'eur' }), line({ currency: 'USD' })] }),
          status: 422,
          reason: 'mixed_currencies',
          field: 'lines.2.currency',
        },
        { case: 'no lines', body: (b) => ({ ...b, lines: [] }), status: 400, field: 'lines' },
        {
          case: 'a total too large to count exactly',
          body: (b) => ({ ...b, lines: [line({ quantity: 1_000_000, unitPriceMinor: 1_000_000_000_000 })] }),
          status: 422,
          reason: 'amount_too_large',
          field: 'lines',
        },
        { case: 'a purchasedAt without a time zone', body: (b) => ({ ...b, purchasedAt: '2026-11-22T10:00:00' }), status: 422, reason: 'invalid_timestamp', field: 'purchasedAt' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/refunds', () => {
    const route = ROUTES.refunds;
    const refundFrom = (harness: CustomersHarness, customerId: string, lines: object[]) =>
      harness.authed().post(`/customers/${customerId}/refunds`).send({ orderId: ORDER_ID, lines }).expect(201);

    it('records a refund: 201 and a RefundRecorded event, the amount defaulting to quantity × unit price', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        refundId: event.metadata.commandId,
        orderId: ORDER_ID,
        lines: [{ lineNo: 1, quantity: 1, amountMinor: 1999 }],
        currency: 'EUR',
        totalMinor: 1999,
        reason: 'Damaged in transit',
        refundedAt: '2026-11-23T10:00:00.000Z',
      });
    });

    it('refunds what is left, in several refunds, with explicit amounts', async () => {
      const target = await h.target(route);
      await h.expectAppended(route, target, { body: { orderId: ORDER_ID, lines: [{ lineNo: 1, quantity: 2 }] } });
      const last = await h.expectAppended(route, target, {
        body: { refundId: 'refund-2', orderId: ORDER_ID, lines: [{ lineNo: 1, quantity: 1, amountMinor: 1000 }, { lineNo: 2, quantity: 1 }] },
      });
      expect(last.data).toEqual({
        refundId: 'refund-2',
        orderId: ORDER_ID,
        lines: [
          { lineNo: 1, quantity: 1, amountMinor: 1000 },
          { lineNo: 2, quantity: 1, amountMinor: 500 },
        ],
        currency: 'EUR',
        totalMinor: 1500,
        refundedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without orderId', body: (b) => omit(b, 'orderId'), status: 400, field: 'orderId' },
        { case: 'without lines', body: (b) => omit(b, 'lines'), status: 400, field: 'lines' },
        { case: 'without a line quantity', body: (b) => ({ ...b, lines: [{ lineNo: 1 }] }), status: 400, field: 'lines.0.quantity' },
        { case: 'a string for a line number', body: (b) => ({ ...b, lines: [{ lineNo: '1', quantity: 1 }] }), status: 400, field: 'lines.0.lineNo' },
        { case: 'a line number of 0', body: (b) => ({ ...b, lines: [{ lineNo: 0, quantity: 1 }] }), status: 400, field: 'lines.0.lineNo' },
        { case: 'a negative amount', body: (b) => ({ ...b, lines: [{ lineNo: 1, quantity: 1, amountMinor: -1 }] }), status: 400, field: 'lines.0.amountMinor' },
        { case: 'an unknown field in a line', body: (b) => ({ ...b, lines: [{ lineNo: 1, quantity: 1, sku: 'SKU-1001' }] }), status: 400, field: 'lines.0.sku' },
        { case: 'a refundId that is not an id', body: (b) => ({ ...b, refundId: 'refund 1' }), status: 400, field: 'refundId' },
        {
          case: 'more than was bought',
          body: (b) => ({ ...b, lines: [{ lineNo: 1, quantity: 4 }] }),
          status: 422,
          reason: 'refund_exceeds_purchase',
          field: 'lines.0.quantity',
        },
        {
          case: 'more than is left after an earlier refund',
          given: async (harness, target) => void (await refundFrom(harness, target.customerId, [{ lineNo: 1, quantity: 2 }])),
          body: (b) => ({ ...b, lines: [{ lineNo: 2, quantity: 1 }, { lineNo: 1, quantity: 2 }] }),
          status: 422,
          reason: 'refund_exceeds_purchase',
          field: 'lines.1.quantity',
        },
        {
          case: 'an amount above what the line cost',
          body: (b) => ({ ...b, lines: [{ lineNo: 2, quantity: 1, amountMinor: 501 }] }),
          status: 422,
          reason: 'refund_exceeds_purchase',
          field: 'lines.0.amountMinor',
        },
        { case: 'an unknown order', body: (b) => ({ ...b, orderId: 'order-nope' }), status: 422, reason: 'unknown_order', field: 'orderId' },
        { case: 'an unknown order line', body: (b) => ({ ...b, lines: [{ lineNo: 3, quantity: 1 }] }), status: 422, reason: 'unknown_order_line', field: 'lines.0.lineNo' },
        {
          case: 'the same line twice in one refund',
          body: (b) => ({ ...b, lines: [{ lineNo: 1, quantity: 1 }, { lineNo: 1, quantity: 1 }] }),
          status: 422,
          reason: 'duplicate_refund_line',
          field: 'lines.1.lineNo',
        },
        { case: 'no lines', body: (b) => ({ ...b, lines: [] }), status: 400, field: 'lines' },
        {
          case: 'a refund id already recorded',
          given: async (harness, target) =>
            void (await harness.authed().post(`/customers/${target.customerId}/refunds`).send({ ...bodies.refund(), refundId: 'refund-1' }).expect(201)),
          body: (b) => ({ ...b, refundId: 'refund-1', lines: [{ lineNo: 2, quantity: 1 }] }),
          status: 422,
          reason: 'refund_already_recorded',
          field: 'refundId',
        },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });
});
