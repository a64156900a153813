export { commandIdFor, CurrentCommand, type CommandContext } from './command-context.js';
export { Command } from './command.decorator.js';
export { CommandInterceptor } from './command.interceptor.js';
export { CORRELATION_ID_HEADER, headerToken, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './command-request.js';
export { commandsMigrations } from './commands.migrations.js';
export { IdempotencyStore, type IdempotencyStoreOptions } from './idempotency.store.js';
export { runDecider, toNewEvents, type CommandOutcome, type DomainEvent, type RunOptions } from './decider-runner.js';
