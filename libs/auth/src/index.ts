export { actorOf, isRole, KEY_NAME_PATTERN, KEY_NAME_RULE, ROLES, type Principal, type Role } from './api-key.js';
export {
  ApiKeyInputError,
  ApiKeyNameTakenError,
  ApiKeyService,
  type ApiKeyRecord,
  type CreatedApiKey,
  type ProvisionOutcome,
} from './api-key.service.js';
export { API_KEY_SECURITY, Public, Roles } from './access.js';
export { ApiKeyGuard } from './api-key.guard.js';
export { authMigrations } from './auth.migrations.js';
export { CurrentPrincipal, principalOf } from './principal.js';
export { AdminKeyProvisioner } from './admin-key.provisioner.js';
export { ApiKeysController } from './api-keys.controller.js';
