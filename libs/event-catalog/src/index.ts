export * from './event-catalog.js';
