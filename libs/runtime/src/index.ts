export { migrationsFor, prepareDatabase } from './database.js';
export { DOMAIN_EVENT_SCHEMA, createEventStore, createLogAdapter, openEventStore, type EventSchema } from './event-store.js';
export { launch, type LaunchPlan } from './launch.js';
export { RuntimeModule } from './runtime.module.js';
export { APP_CONFIG, DATA_KEYS, EVENT_STORE, PG_POOL } from './tokens.js';
export { engineLogs } from './engine-logs.js';
