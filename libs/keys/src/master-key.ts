import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { MASTER_KEY_BYTES } from '#config';

/**
 * A wrapped value: `<format byte><iv><auth tag><ciphertext>`, AES-256-GCM under a key derived from
 * the master key. The associated data (the wrap's context) names where the value belongs, so a
 * wrapped value copied to another row fails to unwrap.
 */
const FORMAT = 1;
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** A wrapped value does not open under the key its row names: tampered, moved from another row, or another key under the same id. */
export class UnwrapError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnwrapError';
  }
}

/** A row is wrapped by a master key this process does not hold. */
export class UnknownMasterKeyError extends Error {
  constructor(keyId: string, where: string, held: readonly string[]) {
    super(
      `${where} is wrapped by master key ${keyId}, which is not configured (this process holds ${held.join(' and ')}): ` +
        'CRM_MASTER_KEY (or CRM_MASTER_KEY_FILE) is not the key this database was set up with, or a rotation to another key is unfinished',
    );
    this.name = 'UnknownMasterKeyError';
  }
}

/**
 * The key-encryption key. Two keys are derived from it (HKDF-SHA-256), one to wrap with and one to
 * name it by: its id is a public label (the first 8 bytes of a SHA-256 of the derived value), so
 * each wrapped row can record which master key wrapped it without revealing anything of the key.
 */
export class MasterKey {
  readonly id: string;
  private readonly wrappingKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== MASTER_KEY_BYTES) throw new RangeError(`a master key has ${MASTER_KEY_BYTES} bytes, not ${key.length}`);
    this.wrappingKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'crm master key: wrapping v1', 32));
    const naming = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'crm master key: id v1', 32));
    this.id = createHash('sha256').update(naming).digest('hex').slice(0, 16);
  }

  wrap(plaintext: Buffer, context: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.wrappingKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(context);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT), iv, cipher.getAuthTag(), ciphertext]);
  }

  /** Throws {@link UnwrapError} unless `wrapped` was wrapped by this key for `context`, unaltered. */
  unwrap(wrapped: Buffer, context: Buffer): Buffer {
    if (wrapped.length < HEADER_BYTES || wrapped[0] !== FORMAT) throw new UnwrapError('malformed wrapped value');
    try {
      const decipher = createDecipheriv(ALGORITHM, this.wrappingKey, wrapped.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(context);
      decipher.setAuthTag(wrapped.subarray(1 + IV_BYTES, HEADER_BYTES));
      return Buffer.concat([decipher.update(wrapped.subarray(HEADER_BYTES)), decipher.final()]);
    } catch (error) {
      throw new UnwrapError('wrapped value fails authentication: tampered, moved from another row, or wrapped by another key', { cause: error });
    }
  }
}

/**
 * The master keys a process holds: the current one, which wraps everything new, and others it only
 * unwraps with: the previous key during a rotation window, the new one while a rotation runs.
 */
export class MasterKeyring {
  private readonly byId: ReadonlyMap<string, MasterKey>;

  constructor(
    readonly current: MasterKey,
    others: readonly MasterKey[] = [],
  ) {
    this.byId = new Map([...others, current].map((key) => [key.id, key]));
  }

  /** The ids held, current first. */
  get ids(): string[] {
    return [this.current.id, ...[...this.byId.keys()].filter((id) => id !== this.current.id)];
  }

  /** The same keyring, also unwrapping with `key`. */
  alsoReading(key: MasterKey): MasterKeyring {
    return new MasterKeyring(this.current, [...this.byId.values(), key]);
  }

  /** The key of `id`; throws {@link UnknownMasterKeyError} (naming `where`) when it is not held. */
  key(id: string, where: string): MasterKey {
    const key = this.byId.get(id);
    if (!key) throw new UnknownMasterKeyError(id, where, this.ids);
    return key;
  }

  /** Unwraps a value of a row that names `wrappedBy` as its key; `where` names the row in errors. */
  unwrap(wrappedBy: string, wrapped: Buffer, context: Buffer, where: string): Buffer {
    try {
      return this.key(wrappedBy, where).unwrap(wrapped, context);
    } catch (error) {
      if (!(error instanceof UnwrapError)) throw error;
      throw new UnwrapError(`${where}: ${error.message}`, { cause: error.cause });
    }
  }
}

/** The associated data of a wrapped value: what it is and which row it belongs to (JSON, so no part can run into the next). */
export function wrapContext(purpose: string, rowKey: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify(['crm-wrap-v1', purpose, ...rowKey]), 'utf8');
}
