import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const SECRETS_SCHEMA = 'secrets';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    // Values wrapped by the master key (never in the clear), each naming the key that wrapped it.
    await sql`
      create table secrets.secrets (
        name       text primary key,
        wrapped    bytea not null,
        wrapped_by text not null,
        created_at timestamptz not null default now()
      )`.execute(db);
    // Which master keys wrap rows, for the start's check and the rotation.
    await sql`create index secrets_wrapped_by on secrets.secrets (wrapped_by)`.execute(db);
  },
};

export const secretsMigrations: MigrationSet = {
  schema: SECRETS_SCHEMA,
  migrations: { '0001-secrets': initial },
};
