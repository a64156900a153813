export { PersonalDataEventStore } from './personal-data-event-store.js';
export { ERASED, isErased, type ErasedValue } from './erased.js';
export { PersonalDataPolicy, type FieldPath, type KeyLink, type PersonalDataPolicyOptions, type PersonalDataRule } from './policy.js';
export {
  DATA_KEYS_TABLE,
  PostgresDataKeyStore,
  type DataKeyStore,
  type PersonalDataTables,
  type PostgresDataKeyStoreOptions,
  type StreamKeys,
} from './data-key-store.js';
export { PersonalDataIntegrityError, isEncryptedValue, type DataKey, type EncryptedValue } from './cipher.js';
export { PERSONAL_DATA_SCHEMA, personalDataMigrations } from './personal-data.migrations.js';
export { wrapPlaintextDataKeys } from './plaintext-keys.js';
