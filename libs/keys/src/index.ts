export { MasterKey, MasterKeyring, UnknownMasterKeyError, UnwrapError, wrapContext } from './master-key.js';
export { masterKeyringOf, readMasterKey } from './master-key-source.js';
export { assertMasterKeysHeld, countWrappedBy, unwrapRow, wrapRow, wrappingKeyIds, type WrappedTable } from './wrapped-table.js';
export { SECRETS_TABLE, WrappedSecrets } from './wrapped-secrets.js';
export { SECRETS_SCHEMA, secretsMigrations } from './secrets.migrations.js';
export { DEFAULT_ROTATION_BATCH_SIZE, RotationInProgressError, rotateMasterKey, type RotationOptions, type RotationResult } from './rotation.js';
