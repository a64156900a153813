export { purchaseFrequencyProjection } from './purchase-frequency.projection.js';
export { PURCHASE_FREQUENCY } from './purchase-frequency.projection.js';
export type { PurchaseFrequencyView } from './purchase-frequency.queries.js';
export { PurchaseFrequencyQueries } from './purchase-frequency.queries.js';
