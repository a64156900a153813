export { APP_CONFIG, DATA_KEYS, EVENT_STORE, LOG_SIGNING_KEY, PG_POOL, WRAPPED_SECRETS } from './tokens.js';
export { engineLogs } from './engine-logs.js';
export { queuePrefix, RedisConnection } from './redis-connection.js';
