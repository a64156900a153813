import type { Upcaster } from '#domain';

/**
 * Upcasters of customer events, from an old schema version to the next (see
 * CUSTOMER_EVENT_SCHEMA_VERSION). None yet: every customer event is at version 1. When a data
 * shape changes, raise the version and add `{ type, fromVersion, upcast }` here; upcasters run on
 * decrypted data and must accept `{ $erased: true }` where a personal value was.
 */
export const customerUpcasters: Upcaster[] = [];
