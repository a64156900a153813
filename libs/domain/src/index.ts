export * from './decider.js';
export * from './validation.js';
export * from './text.js';
export * from './stream-names.js';
export type * from './upcaster.js';
export * from './click.js';
export * from './personal-data.js';
