import { deepFreeze } from '#domain';

/**
 * What deciding on a product's stream needs, and what a "state as of" view shows. Plain JSON (no
 * Map, Set, Date or undefined).
 */
export interface ProductState {
  listed: boolean;
  retired: boolean;
  name: string | null;
  category: string | null;
  currency: string | null;
  /**
   * The list price and unit cost in force from each `effectiveFrom` on, both resolved (a change
   * of one keeps the other), in ascending `effectiveFrom`: the last is the latest.
   */
  prices: PriceState[];
  listedAt: string | null;
  retiredAt: string | null;
  retirementReason: string | null;
}

export interface PriceState {
  effectiveFrom: string;
  listPriceMinor: number;
  unitCostMinor: number;
}

/** Frozen (deeply): evolve never changes a state, it returns a new one. */
export const initialProductState: ProductState = deepFreeze({
  listed: false,
  retired: false,
  name: null,
  category: null,
  currency: null,
  prices: [],
  listedAt: null,
  retiredAt: null,
  retirementReason: null,
});
