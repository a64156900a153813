export { ERASED, PersonalDataEventStore, isErased, type ErasedValue } from './personal-data-event-store.js';
export { PersonalDataPolicy, type FieldPath } from './policy.js';
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
