import { NotFoundError, RuleViolationError, fold } from '#domain';
import { givenFor } from '#testing';
import {
  initialProductState,
  productDecider,
  productStream,
  skuOfStream,
  toProductEvent,
  type ProductCommand,
  type ProductCommandOf,
  type ProductEvent,
  type ProductState,
} from './index.js';

const given = givenFor(productDecider);

// ---- fixtures -----------------------------------------------------------------------------------

const SKU = 'SKU-1001';
const at = (day: number, time = '10:00:00') => `2024-05-${String(day).padStart(2, '0')}T${time}.000Z`;

const listed: ProductEvent = {
  type: 'ProductListed',
  data: {
    sku: SKU,
    name: 'Standing desk',
    category: 'furniture',
    currency: 'EUR',
    listPriceMinor: 49_900,
    unitCostMinor: 31_000,
    effectiveFrom: '2024-05-01',
    listedAt: at(1),
  },
};

const priceChanged = (effectiveFrom: string, data: { listPriceMinor?: number; unitCostMinor?: number }): ProductEvent => ({
  type: 'ProductPriceChanged',
  data: { ...data, effectiveFrom, changedAt: at(2) },
});

const retired: ProductEvent = { type: 'ProductRetired', data: { reason: 'discontinued by the maker', retiredAt: at(20) } };

const list = (overrides: Record<string, unknown> = {}): ProductCommand =>
  ({
    type: 'ListProduct',
    sku: SKU,
    name: 'Standing desk',
    category: 'furniture',
    currency: 'EUR',
    listPriceMinor: 49_900,
    unitCostMinor: 31_000,
    effectiveFrom: '2024-05-01',
    listedAt: at(1),
    ...overrides,
  }) as ProductCommand;

const changePrice = (overrides: Record<string, unknown> = {}): ProductCommand =>
  ({ type: 'ChangeProductPrice', sku: SKU, listPriceMinor: 44_900, effectiveFrom: '2024-06-01', changedAt: at(10), ...overrides }) as ProductCommand;

const retire = (overrides: Partial<ProductCommandOf<'RetireProduct'>> = {}): ProductCommand => ({
  type: 'RetireProduct',
  sku: SKU,
  reason: 'discontinued by the maker',
  retiredAt: at(20),
  ...overrides,
});

// ---- ListProduct --------------------------------------------------------------------------------

describe('ListProduct', () => {
  it('lists a product, trimming the text, upper-casing the currency and normalising the time to UTC', () => {
    given([])
      .when(list({ name: ' Standing desk ', category: 'furniture  ', currency: 'eur', listedAt: '2024-05-01T12:00:00+02:00' }))
      .then([listed]);
  });

  it('allows a cost above the price (a negative margin) and a free product', () => {
    given([])
      .when(list({ listPriceMinor: 0, unitCostMinor: 500 }))
      .then([{ ...listed, data: { ...listed.data, listPriceMinor: 0, unitCostMinor: 500 } }]);
  });

  it('takes any effectiveFrom, in the past too: an import states since when a price held', () => {
    given([])
      .when(list({ effectiveFrom: '2019-01-01' }))
      .then([{ ...listed, data: { ...listed.data, effectiveFrom: '2019-01-01' } }]);
  });

  it('refuses to list twice', () => {
    given([listed]).when(list()).thenThrows(RuleViolationError, 'product_already_listed', 'sku');
    given([listed, priceChanged('2024-06-01', { listPriceMinor: 1 })]).when(list({ effectiveFrom: '2024-07-01' })).thenThrows(RuleViolationError, 'product_already_listed', 'sku');
  });

  it('refuses a retired product', () => {
    given([listed, retired]).when(list()).thenThrows(RuleViolationError, 'product_retired');
  });

  it.each([
    ['sku', { sku: '' }, 'required'],
    ['name', { name: ' ' }, 'name_required'],
    ['category', { category: undefined }, 'required'],
    ['currency', { currency: 'EURO' }, 'invalid_currency'],
    ['currency', { currency: null }, 'invalid_currency'],
    ['listPriceMinor', { listPriceMinor: -1 }, 'amount_negative'],
    ['listPriceMinor', { listPriceMinor: 9.99 }, 'not_an_integer'],
    ['listPriceMinor', { listPriceMinor: '4990' }, 'not_an_integer'],
    ['unitCostMinor', { unitCostMinor: -1 }, 'amount_negative'],
    ['unitCostMinor', { unitCostMinor: undefined }, 'not_an_integer'],
    ['effectiveFrom', { effectiveFrom: '2024-02-30' }, 'invalid_date'],
    ['listedAt', { listedAt: '2024-05-01T10:00:00' }, 'invalid_timestamp'],
  ])('checks %s (%j)', (field, overrides, reason) => {
    given([]).when(list(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

// ---- rules common to every command on a listed product ------------------------------------------

describe('any command but ListProduct', () => {
  const cases = [changePrice(), retire()].map((command) => [command.type, command] as const);

  it.each(cases)('%s on an unknown product is 404 product_not_found', (_, command) => {
    given([]).when(command).thenThrows(NotFoundError, 'product_not_found', 'sku');
  });

  it.each(cases)('%s on a retired product is product_retired (retiring twice included)', (_, command) => {
    given([listed, retired]).when(command).thenThrows(RuleViolationError, 'product_retired');
  });
});

// ---- ChangeProductPrice -------------------------------------------------------------------------

describe('ChangeProductPrice', () => {
  it('changes the list price alone, the cost alone, or both', () => {
    given([listed])
      .when(changePrice())
      .then([{ type: 'ProductPriceChanged', data: { listPriceMinor: 44_900, effectiveFrom: '2024-06-01', changedAt: at(10) } }]);
    given([listed])
      .when(changePrice({ listPriceMinor: null, unitCostMinor: 29_000 }))
      .then([{ type: 'ProductPriceChanged', data: { unitCostMinor: 29_000, effectiveFrom: '2024-06-01', changedAt: at(10) } }]);
    given([listed])
      .when(changePrice({ listPriceMinor: 0, unitCostMinor: 52_000 }))
      .then([{ type: 'ProductPriceChanged', data: { listPriceMinor: 0, unitCostMinor: 52_000, effectiveFrom: '2024-06-01', changedAt: at(10) } }]);
  });

  it('needs a list price or a unit cost', () => {
    given([listed])
      .when(changePrice({ listPriceMinor: undefined }))
      .thenThrows(RuleViolationError, 'price_or_cost_required');
  });

  it('takes effect strictly after the latest price', () => {
    const history = [listed, priceChanged('2024-07-01', { unitCostMinor: 30_000 })];
    given(history).when(changePrice({ effectiveFrom: '2024-07-01' })).thenThrows(RuleViolationError, 'price_not_after_latest', 'effectiveFrom');
    given(history).when(changePrice({ effectiveFrom: '2024-06-15' })).thenThrows(RuleViolationError, 'price_not_after_latest', 'effectiveFrom');
    given([listed]).when(changePrice({ effectiveFrom: '2024-05-01', changedAt: at(1) })).thenThrows(RuleViolationError, 'price_not_after_latest', 'effectiveFrom');
    expect(productDecider.decide(changePrice({ effectiveFrom: '2024-07-02' }), fold(productDecider, history))).toHaveLength(1);
  });

  it('takes effect on the day it is changed at the earliest, that day counted in UTC', () => {
    const listedLongAgo = [{ ...listed, data: { ...listed.data, effectiveFrom: '2024-01-01' } }];
    expect(productDecider.decide(changePrice({ effectiveFrom: '2024-05-10' }), fold(productDecider, listedLongAgo))).toHaveLength(1);
    // 01:00 in UTC+2 is still the 9th in UTC.
    expect(productDecider.decide(changePrice({ effectiveFrom: '2024-05-09', changedAt: '2024-05-10T01:00:00+02:00' }), fold(productDecider, listedLongAgo))).toHaveLength(1);
    given(listedLongAgo).when(changePrice({ effectiveFrom: '2024-05-09' })).thenThrows(RuleViolationError, 'price_in_past', 'effectiveFrom');
  });

  it('refuses a change to the values already in force', () => {
    const history = [listed, priceChanged('2024-06-01', { listPriceMinor: 44_900 })];
    given(history).when(changePrice({ listPriceMinor: 44_900, effectiveFrom: '2024-07-01' })).thenThrows(RuleViolationError, 'no_changes');
    given(history).when(changePrice({ listPriceMinor: 44_900, unitCostMinor: 31_000, effectiveFrom: '2024-07-01' })).thenThrows(RuleViolationError, 'no_changes');
    expect(productDecider.decide(changePrice({ listPriceMinor: 44_900, unitCostMinor: 30_000, effectiveFrom: '2024-07-01' }), fold(productDecider, history))).toHaveLength(1);
  });

  it.each([
    ['listPriceMinor', { listPriceMinor: -5 }, 'amount_negative'],
    ['listPriceMinor', { listPriceMinor: 1.5 }, 'not_an_integer'],
    ['unitCostMinor', { unitCostMinor: -1 }, 'amount_negative'],
    ['effectiveFrom', { effectiveFrom: '2024-6-1' }, 'invalid_date'],
    ['changedAt', { changedAt: 'yesterday' }, 'invalid_timestamp'],
  ])('checks %s (%j)', (field, overrides, reason) => {
    given([listed]).when(changePrice(overrides)).thenThrows(RuleViolationError, reason, field);
  });
});

// ---- RetireProduct ------------------------------------------------------------------------------

describe('RetireProduct', () => {
  it('retires, with or without a reason', () => {
    given([listed]).when(retire()).then([retired]);
    given([listed])
      .when(retire({ reason: ' ' }))
      .then([{ type: 'ProductRetired', data: { retiredAt: at(20) } }]);
  });

  it('checks retiredAt', () => {
    given([listed]).when(retire({ retiredAt: '2024-05-20' })).thenThrows(RuleViolationError, 'invalid_timestamp', 'retiredAt');
  });
});

// ---- evolve -------------------------------------------------------------------------------------

describe('evolve', () => {
  const history: ProductEvent[] = [
    listed,
    priceChanged('2024-06-01', { listPriceMinor: 44_900 }),
    priceChanged('2024-07-01', { unitCostMinor: 52_000 }),
    priceChanged('2024-08-01', { listPriceMinor: 59_900, unitCostMinor: 40_000 }),
    retired,
  ];

  const expected: ProductState = {
    listed: true,
    retired: true,
    name: 'Standing desk',
    category: 'furniture',
    currency: 'EUR',
    prices: [
      { effectiveFrom: '2024-05-01', listPriceMinor: 49_900, unitCostMinor: 31_000 },
      { effectiveFrom: '2024-06-01', listPriceMinor: 44_900, unitCostMinor: 31_000 },
      { effectiveFrom: '2024-07-01', listPriceMinor: 44_900, unitCostMinor: 52_000 },
      { effectiveFrom: '2024-08-01', listPriceMinor: 59_900, unitCostMinor: 40_000 },
    ],
    listedAt: at(1),
    retiredAt: at(20),
    retirementReason: 'discontinued by the maker',
  };

  it('folds a full history, each price resolved from the one before', () => {
    expect(fold(productDecider, history)).toStrictEqual(expected);
  });

  it('gives a JSON state that survives a round trip, without changing the initial state', () => {
    const before = structuredClone(initialProductState);
    const state = fold(productDecider, history);
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
    expect(initialProductState).toStrictEqual(before);
    expect(Object.isFrozen(initialProductState.prices)).toBe(true);
  });

  it('skips event types it does not know', () => {
    const state = fold(productDecider, [listed]);
    expect(productDecider.evolve(state, { type: 'FromTheFuture', data: {} } as unknown as ProductEvent)).toBe(state);
    expect(toProductEvent({ type: 'FromTheFuture', data: {} })).toBeUndefined();
  });
});

describe('product streams', () => {
  it('names streams product-<sku>', () => {
    expect(productStream('SKU-1001')).toBe('product-SKU-1001');
    expect(skuOfStream('product-SKU-1001')).toBe('SKU-1001');
    expect(skuOfStream('product-')).toBeUndefined();
    expect(skuOfStream('campaign-SKU-1001')).toBeUndefined();
    expect(() => productStream('')).toThrow();
  });
});
