export * from './position.js';
export * from './event.js';
export * from './errors.js';
export type * from './event-store.port.js';
export { TransformingEventStore } from './transforming-event-store.js';
export { UpcasterRegistry, UpcastingEventStore, type Upcaster } from './upcasting.js';
export { PostgresEventStore, type EventStoreTables, type PostgresEventStoreOptions } from './postgres/postgres-event-store.js';
export { eventStoreMigrations } from './postgres/event-store.migrations.js';
export * from './personal-data/index.js';
