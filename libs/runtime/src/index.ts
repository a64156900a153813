export { migrationsFor, prepareDatabase } from './database.js';
export { DOMAIN_EVENT_SCHEMA, createEventStore, createLogAdapter, openDataKeyStore, openEventStore, type EventSchema } from './event-store.js';
export { logSigningKey, openWrappedSecrets, rotateToMasterKey } from './keys.js';
export { launch, type LaunchPlan } from './launch.js';
export { RuntimeModule } from './runtime.module.js';
