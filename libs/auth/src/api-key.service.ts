import { Kysely, PostgresDialect, sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type pg from 'pg';
import { borrowedPool, isUuid } from '#postgres';
import { generateApiKey, hashApiKey, isRole, keyPrefix, KEY_NAME_PATTERN, KEY_NAME_RULE, ROLES, type Principal, type Role } from './api-key.js';

interface ApiKeysTable {
  id: Generated<string>;
  name: string;
  role: Role;
  key_hash: Buffer;
  key_prefix: string;
  created_at: Generated<Date>;
  revoked_at: ColumnType<Date | null, never, Date>;
}

interface AuthTables {
  'auth.api_keys': ApiKeysTable;
}

/** A key as listed: never the key itself, nor its hash. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** The first characters of the key, to tell keys apart. */
  readonly prefix: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** A key just created: the only time its plaintext exists outside the client. */
export interface CreatedApiKey extends ApiKeyRecord {
  readonly key: string;
}

/**
 * What provisioning CRM_ADMIN_API_KEY did:
 * - `created`: a new admin key;
 * - `rotated`: a new admin key, and the one provisioned before under the same name was revoked;
 * - `unchanged`: the key was already an active admin key under that name;
 * - `updated`: the key existed, and was made admin and renamed;
 * - `revoked`: the key was revoked, and stays so: set another one.
 */
export type ProvisionOutcome = 'created' | 'rotated' | 'unchanged' | 'updated' | 'revoked';

/** A name or role that a key cannot have. */
export class ApiKeyInputError extends Error {
  constructor(
    readonly field: 'name' | 'role',
    message: string,
  ) {
    super(message);
    this.name = 'ApiKeyInputError';
  }
}

/** Another active key has that name. */
export class ApiKeyNameTakenError extends Error {
  constructor(readonly keyName: string) {
    super(`an active API key is already named "${keyName}"`);
    this.name = 'ApiKeyNameTakenError';
  }
}

/** Serialises provisioning across processes that start together ("crm" "key"). */
const PROVISION_LOCK = 0x63726d_6b6579;

/** API keys in PostgreSQL (`auth.api_keys`), stored as SHA-256 hashes. */
export class ApiKeyService {
  private readonly db: Kysely<AuthTables>;

  /** Uses the caller's pool, which it does not end. */
  constructor(pool: pg.Pool) {
    this.db = new Kysely<AuthTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  }

  /** A new key; its plaintext is in the result and nowhere else. */
  async create(input: { readonly name: string; readonly role: Role }): Promise<CreatedApiKey> {
    checkName(input.name);
    if (!isRole(input.role)) throw new ApiKeyInputError('role', `role must be one of ${ROLES.join(', ')}`);
    const key = generateApiKey();
    try {
      const row = await this.db
        .insertInto('auth.api_keys')
        .values({ name: input.name, role: input.role, key_hash: hashApiKey(key), key_prefix: keyPrefix(key) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { ...toRecord(row), key };
    } catch (error) {
      if (isUniqueViolation(error, 'api_keys_active_name')) throw new ApiKeyNameTakenError(input.name);
      throw error;
    }
  }

  /** Every key, revoked ones included, oldest first. */
  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom('auth.api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  /** Revokes the key (again: a no-op keeping the first revocation time); `null` when there is no such key. */
  async revoke(id: string): Promise<ApiKeyRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.db
      .updateTable('auth.api_keys')
      .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Who the key belongs to; `null` for an unknown or revoked key. */
  async authenticate(key: string): Promise<Principal | null> {
    const row = await this.db
      .selectFrom('auth.api_keys')
      .select(['id', 'name', 'role'])
      .where('key_hash', '=', hashApiKey(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? { keyId: row.id, name: row.name, role: row.role } : null;
  }

  /**
   * Makes `key` an active admin key named `name` (CRM_ADMIN_API_KEY at start); idempotent. A
   * different key active under the same name is revoked: changing the variable rotates the key.
   * A revoked key is not revived: revocation is how an operator disables a leaked key, and a
   * restart with a stale variable must not undo it.
   */
  async provision(key: string, name: string): Promise<ProvisionOutcome> {
    checkName(name);
    const hash = hashApiKey(key);
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PROVISION_LOCK})`.execute(trx);
      const existing = await trx.selectFrom('auth.api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
      if (existing?.revoked_at) return 'revoked';
      if (existing?.role === 'admin' && existing.name === name) return 'unchanged';
      const replaced = await trx
        .updateTable('auth.api_keys')
        .set({ revoked_at: sql<Date>`now()` })
        .where('name', '=', name)
        .where('revoked_at', 'is', null)
        .where('key_hash', '!=', hash)
        .executeTakeFirst();
      if (existing) {
        await trx.updateTable('auth.api_keys').set({ role: 'admin', name }).where('id', '=', existing.id).execute();
        return 'updated';
      }
      await trx.insertInto('auth.api_keys').values({ name, role: 'admin', key_hash: hash, key_prefix: keyPrefix(key) }).execute();
      return replaced.numUpdatedRows > 0n ? 'rotated' : 'created';
    });
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !KEY_NAME_PATTERN.test(name)) throw new ApiKeyInputError('name', `name must be ${KEY_NAME_RULE}`);
}

function toRecord(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return { id: row.id, name: row.name, role: row.role, prefix: row.key_prefix, createdAt: row.created_at, revokedAt: row.revoked_at };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const { code, constraint: violated } = error as { code?: string; constraint?: string };
  return code === '23505' && violated === constraint;
}
