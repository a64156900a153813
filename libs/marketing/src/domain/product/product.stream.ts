import { streamNames } from '#domain';

const names = streamNames('product-', 'product');

/** The stream of a product: `product-<sku>`. */
export const productStream = names.streamOf;

/** The SKU of a `product-<sku>` stream, or `undefined` for any other stream. */
export const skuOfStream = names.idOf;
