export {
  APP_NAMES,
  ConfigError,
  DEFAULTS,
  LOG_LEVELS,
  loadConfig,
  MIN_ADMIN_API_KEY_LENGTH,
  redactPassword,
  type AppConfig,
  type AppName,
  type EventStoreConfig,
  type LogLevel,
} from './config.js';
