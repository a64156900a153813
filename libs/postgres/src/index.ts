export { borrowedPool, createPool, ensureDatabase, type PoolOptions } from './database.js';
export { migrate, type MigrationSet } from './migrations.js';
export { ChannelNotifier } from './channel-notifier.js';
export { isUuid } from './uuid.js';
export { storableText } from './storable-text.js';
