export * from './email-claim.events.js';
