export { contractsExpiringProjection } from './contracts-expiring.projection.js';
export { ContractsModule } from './contracts-expiring.controller.js';
