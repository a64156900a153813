import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const COMMANDS_SCHEMA = 'commands';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    // One row per (API key, Idempotency-Key): the request it was first used for (hash of method,
    // path and body) and, once done, the response to replay. `claim_token` names the request
    // holding an in-progress row, so that only it completes or releases the row; `claimed_at`
    // lets a retry take over a row whose holder crashed.
    await sql`
      create table commands.idempotency_keys (
        principal_key_id uuid not null,
        idempotency_key  text not null check (length(idempotency_key) between 1 and 255),
        request_hash     bytea not null check (octet_length(request_hash) = 32),
        status           text not null check (status in ('in_progress', 'completed')),
        claim_token      uuid not null,
        response_status  smallint,
        response_body    jsonb,
        created_at       timestamptz not null default now(),
        claimed_at       timestamptz not null default now(),
        completed_at     timestamptz,
        primary key (principal_key_id, idempotency_key),
        check ((status = 'completed') = (response_status is not null and completed_at is not null))
      )`.execute(db);
  },
};

export const commandsMigrations: MigrationSet = {
  schema: COMMANDS_SCHEMA,
  migrations: { '0001-idempotency-keys': initial },
};
