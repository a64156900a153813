import { streamNames } from '#domain';

const names = streamNames('customer-', 'customer');

/** The stream of a customer: `customer-<id>`. */
export const customerStream = names.streamOf;

/** The customer id of a `customer-<id>` stream, or `undefined` for any other stream. */
export const customerIdOfStream = names.idOf;
