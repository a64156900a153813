export { MasterKey, MasterKeyring, UnknownMasterKeyError, UnwrapError } from './master-key.js';
export { masterKeyringOf, readMasterKey } from './master-key-source.js';
export { assertMasterKeysHeld, unwrapRow, wrapRow, type WrappedTable } from './wrapped-table.js';
export { SECRETS_TABLE, WrappedSecrets } from './wrapped-secrets.js';
export { secretsMigrations } from './secrets.migrations.js';
export { RotationInProgressError, rotateMasterKey, type RotationOptions, type RotationResult } from './rotation.js';
