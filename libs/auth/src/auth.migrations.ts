import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const AUTH_SCHEMA = 'auth';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    // Only the key's hash is kept: the key itself is shown once, when it is created.
    // A revoked key keeps its row (audit: which key sent what); only active names must be unique.
    await sql`
      create table auth.api_keys (
        id         uuid primary key default gen_random_uuid(),
        name       text not null,
        role       text not null check (role in ('service', 'analyst', 'auditor', 'admin')),
        key_hash   bytea not null unique check (octet_length(key_hash) = 32),
        key_prefix text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`.execute(db);
    await sql`create unique index api_keys_active_name on auth.api_keys (name) where revoked_at is null`.execute(db);
  },
};

export const authMigrations: MigrationSet = {
  schema: AUTH_SCHEMA,
  migrations: { '0001-api-keys': initial },
};
