import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const LOG_SEAL_SCHEMA = 'log_seal';

/**
 * The global order's tamper evidence, kept in PostgreSQL whichever store holds the log: the chain
 * the sealer computed over the log in order, and the checkpoints it signed. Both only grow.
 */
const initial: Migration = {
  async up(db: Kysely<unknown>) {
    // One row per event, in log order: `events` is its place (1-based), `chain_hash` covers it and all before it.
    await sql`
      create table log_seal.chain (
        events         bigint primary key,
        position_major numeric(20) not null,
        position_minor numeric(20) not null,
        stream_id      text not null,
        revision       bigint not null,
        event_hash     bytea not null,
        chain_hash     bytea not null
      )`.execute(db);
    // Every N events or T seconds: the chain so far, signed (HMAC-SHA256) under a key not in the database.
    await sql`
      create table log_seal.checkpoints (
        events         bigint primary key references log_seal.chain (events),
        position_major numeric(20) not null,
        position_minor numeric(20) not null,
        chain_hash     bytea not null,
        sealed_at      timestamptz not null,
        key_id         bytea not null,
        signature      bytea not null
      )`.execute(db);
    await sql`
      create function log_seal.refuse_change() returns trigger
      language plpgsql as $$
      begin
        raise exception using errcode = 'insufficient_privilege',
          message = format('%s on %I.%I refused: the log seal is append-only', tg_op, tg_table_schema, tg_table_name);
      end $$`.execute(db);
    for (const table of ['chain', 'checkpoints']) {
      await sql`
        create trigger append_only before update or delete or truncate on ${sql.table(`log_seal.${table}`)}
        for each statement execute function log_seal.refuse_change()`.execute(db);
    }
  },
};

export const logSealMigrations: MigrationSet = {
  schema: LOG_SEAL_SCHEMA,
  migrations: { '0001-chain-and-checkpoints': initial },
};
