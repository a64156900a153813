import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, type Generated } from 'kysely';
import type pg from 'pg';
import { borrowedPool } from '#postgres';
import type { MasterKeyring } from './master-key.js';
import { unwrapRow, wrapRow, type WrappedTable } from './wrapped-table.js';

interface SecretsTable {
  name: string;
  wrapped: Buffer;
  wrapped_by: string;
  created_at: Generated<Date>;
}

interface SecretsTables {
  'secrets.secrets': SecretsTable;
}

export const SECRETS_TABLE: WrappedTable = {
  table: 'secrets.secrets',
  rowKey: ['name'],
  purpose: 'secret',
  wrapped: 'wrapped',
  wrappedBy: 'wrapped_by',
  describe: ([name]) => `secret ${name}`,
};

/** Bytes of a secret made on first need, unless its user makes it. */
const SECRET_BYTES = 32;

/**
 * Named secrets of the deployment (HMAC and signing keys), kept in PostgreSQL wrapped by the master
 * key: a backup of the database holds none of them in the clear. Each is made on first need and
 * the same for every process. Names are the users' own, e.g. `lead-capture/email-claim`.
 */
export class WrappedSecrets {
  private readonly db: Kysely<SecretsTables>;

  /** Uses the caller's pool, which it does not end. */
  constructor(
    pool: pg.Pool,
    private readonly keys: MasterKeyring,
  ) {
    this.db = new Kysely<SecretsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  }

  /** The secret `name`; the first caller stores what `create` makes (by default 32 random bytes), every caller gets that. */
  async secret(name: string, create: () => Buffer = () => randomBytes(SECRET_BYTES)): Promise<Buffer> {
    const stored = await this.db.selectFrom('secrets.secrets').select(['wrapped', 'wrapped_by']).where('name', '=', name).executeTakeFirst();
    if (stored) return unwrapRow(SECRETS_TABLE, this.keys, [name], stored.wrapped_by, stored.wrapped);
    const value = create();
    const inserted = await this.db
      .insertInto('secrets.secrets')
      .values({ name, wrapped: wrapRow(SECRETS_TABLE, this.keys.current, [name], value), wrapped_by: this.keys.current.id })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst();
    // Nothing inserted: another process stored it first; its secret is the one.
    return inserted ? value : this.secret(name, create);
  }
}
