/** Injection tokens of what the runtime provides to every app module. */

/** The validated `AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** The `EventStore` port: PostgreSQL or EventStoreDB, chosen by EVENTSTORE_URL. */
export const EVENT_STORE = Symbol('EVENT_STORE');

/** The process's `pg.Pool` on DATABASE_URL (read models, health checks, the PostgreSQL event store). */
export const PG_POOL = Symbol('PG_POOL');

/** The per-stream personal-data keys (`DataKeyStore`) the event store encrypts with; erasing one erases a person. */
export const DATA_KEYS = Symbol('DATA_KEYS');

/**
 * The deployment's named secrets (`WrappedSecrets` of #keys), stored wrapped by the master key:
 * `await secrets.secret('<owner>/<name>')` gives the same secret to every process, made on first need.
 */
export const WRAPPED_SECRETS = Symbol('WRAPPED_SECRETS');

/** The HMAC key (`Buffer`) of the event log's signed checkpoints: LOG_SIGNING_KEY, else a wrapped secret of the deployment. */
export const LOG_SIGNING_KEY = Symbol('LOG_SIGNING_KEY');
