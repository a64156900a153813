import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type ColumnType, type Expression, type ExpressionBuilder, type Generated, type SqlBool } from 'kysely';
import type pg from 'pg';
import type { JsonValue } from '#event-store';
import { borrowedPool } from '#postgres';

interface IdempotencyKeysTable {
  principal_key_id: string;
  idempotency_key: string;
  request_hash: Buffer;
  status: 'in_progress' | 'completed';
  claim_token: string;
  response_status: number | null;
  response_body: ColumnType<JsonValue | null, string | null, string | null>;
  created_at: Generated<Date>;
  claimed_at: Generated<Date>;
  completed_at: Date | null;
}

interface CommandsTables {
  'commands.idempotency_keys': IdempotencyKeysTable;
}

/** An Idempotency-Key as one client (API key) uses it: two clients' keys never meet. */
export interface IdempotencyScope {
  readonly principalKeyId: string;
  readonly key: string;
}

/** The response given to the first request, replayed to its retries. */
export interface StoredResponse {
  readonly status: number;
  readonly body: JsonValue | null;
}

/** The right to run a request under a key, until completed or released. */
export interface IdempotencyLease {
  readonly scope: IdempotencyScope;
  readonly token: string;
}

export type Claim =
  /** First use of the key (or a takeover from a holder that crashed): run the request. */
  | { readonly outcome: 'acquired'; readonly lease: IdempotencyLease }
  /** Same key, same request, already done: answer with the stored response. */
  | { readonly outcome: 'replay'; readonly response: StoredResponse }
  /** Same key, same request, still running elsewhere. */
  | { readonly outcome: 'in_progress' }
  /** Same key, another request. */
  | { readonly outcome: 'mismatch' };

export interface IdempotencyStoreOptions {
  /**
   * How long an in-progress claim holds before a retry of the same request may take it over,
   * in case its holder crashed. Longer than any command takes; a takeover of a live claim is
   * still harmless, as event ids are derived from the key and the log appends nothing twice.
   */
  readonly leaseSeconds?: number;
}

const DEFAULT_LEASE_SECONDS = 60;
/** A claim finds no row when the holder released it between our two statements: then try again. */
const MAX_CLAIM_ATTEMPTS = 3;

/** Idempotency-Key records in PostgreSQL (`commands.idempotency_keys`). */
export class IdempotencyStore {
  private readonly db: Kysely<CommandsTables>;
  private readonly leaseSeconds: number;

  /** Uses the caller's pool, which it does not end. */
  constructor(pool: pg.Pool, options: IdempotencyStoreOptions = {}) {
    this.db = new Kysely<CommandsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    this.leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  }

  /** Claims the key for the request whose hash is `requestHash`, or says why not. */
  async claim(scope: IdempotencyScope, requestHash: Buffer): Promise<Claim> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const token = randomUUID();
      const acquired = await this.db
        .insertInto('commands.idempotency_keys')
        .values({
          principal_key_id: scope.principalKeyId,
          idempotency_key: scope.key,
          request_hash: requestHash,
          status: 'in_progress',
          claim_token: token,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['principal_key_id', 'idempotency_key'])
            .doUpdateSet({ claim_token: token, claimed_at: sql<Date>`now()` })
            .where('commands.idempotency_keys.status', '=', 'in_progress')
            .whereRef('commands.idempotency_keys.request_hash', '=', 'excluded.request_hash')
            .where('commands.idempotency_keys.claimed_at', '<', sql<Date>`now() - make_interval(secs => ${this.leaseSeconds})`),
        )
        .returning('claim_token')
        .executeTakeFirst();
      if (acquired) return { outcome: 'acquired', lease: { scope, token } };

      const row = await this.db
        .selectFrom('commands.idempotency_keys')
        .select(['request_hash', 'status', 'response_status', 'response_body'])
        .where('principal_key_id', '=', scope.principalKeyId)
        .where('idempotency_key', '=', scope.key)
        .executeTakeFirst();
      if (!row) continue;
      if (!row.request_hash.equals(requestHash)) return { outcome: 'mismatch' };
      if (row.status === 'in_progress' || row.response_status === null) return { outcome: 'in_progress' };
      return { outcome: 'replay', response: { status: row.response_status, body: row.response_body } };
    }
    return { outcome: 'in_progress' };
  }

  /** Stores the response to replay; `false` when the lease was lost (taken over, or released). */
  async complete(lease: IdempotencyLease, response: StoredResponse): Promise<boolean> {
    const result = await this.db
      .updateTable('commands.idempotency_keys')
      .set({
        status: 'completed',
        response_status: response.status,
        response_body: response.body === null ? null : JSON.stringify(response.body),
        completed_at: sql<Date>`now()`,
      })
      .where((eb) => held(eb, lease))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Forgets the key (the request failed): the client may fix the request and retry with the same key. */
  async release(lease: IdempotencyLease): Promise<void> {
    await this.db
      .deleteFrom('commands.idempotency_keys')
      .where((eb) => held(eb, lease))
      .execute();
  }
}

/** The row is still in progress under this lease. */
function held(eb: ExpressionBuilder<CommandsTables, 'commands.idempotency_keys'>, lease: IdempotencyLease): Expression<SqlBool> {
  return eb.and([
    eb('principal_key_id', '=', lease.scope.principalKeyId),
    eb('idempotency_key', '=', lease.scope.key),
    eb('status', '=', 'in_progress'),
    eb('claim_token', '=', lease.token),
  ]);
}
