export * from './decider.js';
export * from './customer/index.js';
export * from './event-schema.js';
