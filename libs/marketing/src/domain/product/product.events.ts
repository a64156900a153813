/**
 * Events of a product's stream (`product-<sku>`): the catalog. Money is integer minor units in the
 * product's currency; dates are `YYYY-MM-DD`; timestamps ISO 8601 with a zone.
 */

export interface ProductListedData {
  sku: string;
  name: string;
  category: string;
  currency: string;
  listPriceMinor: number;
  /** What one unit costs the company: margin = sale price - unit cost in force at the sale. */
  unitCostMinor: number;
  /** The first day the price and cost hold. */
  effectiveFrom: string;
  listedAt: string;
}

/** A new list price and/or unit cost from `effectiveFrom` on (at least one of the two). */
export interface ProductPriceChangedData {
  listPriceMinor?: number;
  unitCostMinor?: number;
  /** After every earlier price change's (and the listing's) effectiveFrom. */
  effectiveFrom: string;
  changedAt: string;
}

export interface ProductRetiredData {
  reason?: string;
  retiredAt: string;
}

export type ProductEvent =
  | { type: 'ProductListed'; data: ProductListedData }
  | { type: 'ProductPriceChanged'; data: ProductPriceChangedData }
  | { type: 'ProductRetired'; data: ProductRetiredData };

export type ProductEventType = ProductEvent['type'];

export const PRODUCT_EVENT_SCHEMA_VERSION = {
  ProductListed: 1,
  ProductPriceChanged: 1,
  ProductRetired: 1,
} as const satisfies Record<ProductEventType, number>;

export function isProductEventType(type: string): type is ProductEventType {
  return Object.hasOwn(PRODUCT_EVENT_SCHEMA_VERSION, type);
}

export function toProductEvent(event: { readonly type: string; readonly data: object }): ProductEvent | undefined {
  return isProductEventType(event.type) ? ({ type: event.type, data: event.data } as ProductEvent) : undefined;
}
