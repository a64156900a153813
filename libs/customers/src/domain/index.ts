export * from './customer.events.js';
export type * from './customer.commands.js';
export * from './customer.state.js';
export { customerDecider, decideCustomer, evolveCustomer } from './customer.decider.js';
export { customerPersonalData } from './customer.personal-data.js';
export { customerUpcasters } from './customer.upcasters.js';
export { customerStream, customerIdOfStream } from './customer.stream.js';
export { daysPast, purchaseFrequency, type PurchaseFrequency } from './purchase-frequency.js';
