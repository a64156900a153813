import type pg from 'pg';
import type { AppConfig } from '#config';
import { WrappedSecrets, masterKeyringOf, rotateMasterKey, type MasterKey, type RotationOptions, type RotationResult } from '#keys';
import { WRAPPED_TABLES } from './database.js';

/**
 * The deployment's named secrets, wrapped by the configured master key, for processes outside Nest
 * (apps inject WRAPPED_SECRETS from #providers): `await openWrappedSecrets(config, pool).secret('audit/log-signing')`.
 */
export function openWrappedSecrets(config: AppConfig, pool: pg.Pool): WrappedSecrets {
  return new WrappedSecrets(pool, masterKeyringOf(config));
}

/** The log signing key's name among the wrapped secrets. */
const LOG_SIGNING_SECRET = 'audit/log-signing';

/**
 * The HMAC key of the log's signed checkpoints: LOG_SIGNING_KEY, else one generated for the
 * database and kept wrapped by the master key, so that a dump of the database cannot forge a
 * checkpoint (nor can anyone without the master key).
 */
export async function logSigningKey(config: AppConfig, secrets: WrappedSecrets): Promise<Buffer> {
  return config.logSigningKey ?? (await secrets.secret(LOG_SIGNING_SECRET));
}

/**
 * Re-wraps every data key and secret of the database by `target`, unwrapping each with the
 * configured master key (or the previous one, during a rotation window). Events are not touched.
 */
export function rotateToMasterKey(config: AppConfig, pool: pg.Pool, target: MasterKey, options: RotationOptions = {}): Promise<RotationResult> {
  return rotateMasterKey(pool, WRAPPED_TABLES, masterKeyringOf(config), target, options);
}
