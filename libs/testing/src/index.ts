export { createTestDatabase, type TestDatabase } from './test-database.js';
export { recordedCustomerEvents, recordedEvents } from './recorded-events.js';
