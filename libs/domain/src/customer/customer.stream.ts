const PREFIX = 'customer-';

/** The stream of a customer: `customer-<id>`. */
export function customerStream(customerId: string): string {
  if (customerId === '') throw new TypeError('a customer id must not be empty');
  return PREFIX + customerId;
}

/** The customer id of a `customer-<id>` stream, or `undefined` for any other stream. */
export function customerIdOfStream(streamId: string): string | undefined {
  return streamId.startsWith(PREFIX) && streamId.length > PREFIX.length ? streamId.slice(PREFIX.length) : undefined;
}
