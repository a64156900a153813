import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { ConfigError, MASTER_KEY_BYTES, MASTER_KEY_RULE, parseMasterKey, type AppConfig, type MasterKeySource } from '#config';
import { MasterKey, MasterKeyring } from './master-key.js';

/** One keyring per configuration: a process reads its key files (and logs a new development key) once. */
const keyrings = new WeakMap<AppConfig, MasterKeyring>();

/**
 * The master keys the configuration names: CRM_MASTER_KEY or the file CRM_MASTER_KEY_FILE, else the
 * development key (created on first start, outside the database), plus the previous key during a
 * rotation. A file that is missing or holds no key is a {@link ConfigError}, like a bad variable.
 */
export function masterKeyringOf(config: AppConfig): MasterKeyring {
  let keyring = keyrings.get(config);
  if (!keyring) {
    const previous = config.previousMasterKey ? [new MasterKey(readMasterKey(config.previousMasterKey))] : [];
    keyring = new MasterKeyring(new MasterKey(readMasterKey(config.masterKey)), previous);
    keyrings.set(config, keyring);
  }
  return keyring;
}

/** The key bytes of a source; reads its file, creating the development key when it is missing. */
export function readMasterKey(source: MasterKeySource): Buffer {
  switch (source.kind) {
    case 'value':
      return source.key;
    case 'file':
      return readKeyFile(source.path, `${source.variable}=${JSON.stringify(source.path)}`);
    case 'development':
      return readKeyFile(source.path, `the development master key ${JSON.stringify(resolve(source.path))} (CRM_MASTER_KEY and CRM_MASTER_KEY_FILE unset)`, () =>
        createDevelopmentKey(source.path),
      );
  }
}

/** `label` names the file in problems: the variable, or what stands for it. */
function readKeyFile(path: string, label: string, whenMissing?: () => void): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && whenMissing) {
      try {
        whenMissing();
      } catch (creating) {
        throw new ConfigError([`${label}: cannot create the file (${(creating as NodeJS.ErrnoException).code ?? String(creating)})`]);
      }
      return readKeyFile(path, label);
    }
    throw new ConfigError([`${label}: cannot read the file (${code ?? String(error)})`]);
  }
  const key = parseMasterKey(text);
  // Never the file's content in the message: it may be a key in another format.
  if (key === undefined) throw new ConfigError([`${label}: the file holds no master key (expected ${MASTER_KEY_RULE})`]);
  return key;
}

/**
 * Writes a new random key to `path` (mode 0600, its directory 0700). Written beside it and linked
 * into place, so processes starting together agree: the first link wins, the others read its key.
 */
function createDevelopmentKey(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const draft = `${path}.${process.pid}.${Date.now()}`;
  writeFileSync(draft, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, path);
    new Logger('MasterKey').warn(
      `development master key created at ${resolve(path)}, not for production: set CRM_MASTER_KEY or CRM_MASTER_KEY_FILE ` +
        '(without this file the personal data and secrets of this database cannot be read)',
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
}
