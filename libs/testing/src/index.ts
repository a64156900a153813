export { createTestDatabase, type TestDatabase } from './test-database.js';
export { recordedCustomerEvents } from './recorded-events.js';
