/**
 * Commands to a product's stream. As with customers and reps, the caller chooses timestamps (ISO
 * 8601 with a zone), so the same command always decides the same events; optional properties may
 * be omitted, `undefined` or `null` (all mean "not given"). Money is integer minor units in the
 * product's currency.
 */
interface ProductCommandBase {
  sku: string;
}

export interface ListProduct extends ProductCommandBase {
  type: 'ListProduct';
  name: string;
  category: string;
  currency: string;
  listPriceMinor: number;
  /** May exceed the list price: a product sold at a loss has a negative margin, which reports show. */
  unitCostMinor: number;
  /** Calendar date; any date, so that a catalog import can state since when a price held. */
  effectiveFrom: string;
  listedAt: string;
}

/**
 * A new list price and/or unit cost (at least one) from a calendar date on: after the latest
 * `effectiveFrom`, and not before the date of `changedAt`, so margins already earned never change.
 */
export interface ChangeProductPrice extends ProductCommandBase {
  type: 'ChangeProductPrice';
  listPriceMinor?: number;
  unitCostMinor?: number;
  effectiveFrom: string;
  changedAt: string;
}

/** Final: a retired product takes no further command. */
export interface RetireProduct extends ProductCommandBase {
  type: 'RetireProduct';
  reason?: string;
  retiredAt: string;
}

export type ProductCommand = ListProduct | ChangeProductPrice | RetireProduct;

export type ProductCommandType = ProductCommand['type'];
export type ProductCommandOf<T extends ProductCommandType> = Extract<ProductCommand, { type: T }>;
