export { LOG_SEAL_SCHEMA, logSealMigrations } from './log-seal.migrations.js';
export { LogSealStore, type LogCheckpoint, type SealedLink } from './log-seal.store.js';
export { LogSealOwnedElsewhereError, LogSealer, type LogSealerOptions } from './log-sealer.js';
