import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '#config';
import { MasterKey } from './master-key.js';
import { masterKeyringOf, readMasterKey } from './master-key-source.js';

// Files only, no database: the key sources as a process reads them at start.
describe('where the master key comes from', () => {
  let dir: string;
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crm-master-key-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  const problemOf = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.join('\n');
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads CRM_MASTER_KEY_FILE (base64 or hex, a trailing newline allowed), and the previous key beside it', () => {
    writeFileSync(join(dir, 'new.key'), `${key.toString('base64')}\n`);
    const previous = Buffer.alloc(32, 9);
    writeFileSync(join(dir, 'old.key'), previous.toString('hex'));
    const keyring = masterKeyringOf(loadConfig({ CRM_MASTER_KEY_FILE: join(dir, 'new.key'), CRM_MASTER_KEY_PREVIOUS_FILE: join(dir, 'old.key') }));
    expect(keyring.current.id).toBe(new MasterKey(key).id);
    expect(keyring.ids).toEqual([new MasterKey(key).id, new MasterKey(previous).id]);
  });

  it('refuses a missing file or one holding no key, naming the variable and the path but nothing of the content', () => {
    const missing = join(dir, 'missing.key');
    expect(problemOf(() => masterKeyringOf(loadConfig({ CRM_MASTER_KEY_FILE: missing })))).toBe(`CRM_MASTER_KEY_FILE="${missing}": cannot read the file (ENOENT)`);
    const wrong = join(dir, 'wrong.key');
    writeFileSync(wrong, 'hunter2-is-not-a-key');
    const problem = problemOf(() => masterKeyringOf(loadConfig({ CRM_MASTER_KEY_PREVIOUS_FILE: wrong, CRM_MASTER_KEY: key.toString('hex') })));
    expect(problem).toBe(`CRM_MASTER_KEY_PREVIOUS_FILE="${wrong}": the file holds no master key (expected 32 bytes as base64 or hex (e.g. \`openssl rand -base64 32\`))`);
    expect(problem).not.toContain('hunter2');
  });

  it('creates the development key once, mode 0600, logging where, and reads it after', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const path = join(dir, '.crm', 'master.key');
    const first = readMasterKey({ kind: 'development', path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.crm')).mode & 0o777).toBe(0o700);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^development master key created at .*\.crm\/master\.key, not for production/);
    expect(readMasterKey({ kind: 'development', path })).toEqual(first);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toEqual(first);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('says so when the development key cannot be created', () => {
    // Its directory a link to nowhere: reading finds no file, creating has no place to put it.
    symlinkSync(join(dir, 'gone', 'away'), join(dir, 'dangling'));
    const path = join(dir, 'dangling', 'master.key');
    expect(problemOf(() => readMasterKey({ kind: 'development', path }))).toBe(
      `the development master key "${path}" (CRM_MASTER_KEY and CRM_MASTER_KEY_FILE unset): cannot create the file (ENOENT)`,
    );
  });

  it('reads the files of a configuration once', () => {
    writeFileSync(join(dir, 'a.key'), key.toString('hex'));
    const config = loadConfig({ CRM_MASTER_KEY_FILE: join(dir, 'a.key') });
    const keyring = masterKeyringOf(config);
    rmSync(join(dir, 'a.key'));
    expect(masterKeyringOf(config)).toBe(keyring);
  });
});
