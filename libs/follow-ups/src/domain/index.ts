export * from './follow-up.names.js';
