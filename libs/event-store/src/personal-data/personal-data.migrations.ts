import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const PERSONAL_DATA_SCHEMA = 'personal_data';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    // Data keys live outside the log so that deleting one makes that stream's personal data
    // unreadable while the events stay immutable. An erased key keeps its row (key bytes gone) so a
    // value under it reads as erased, while a value naming a key that never existed is an error.
    // After an erase a stream that needs a key again gets the next generation.
    await sql`
      create table personal_data.data_keys (
        stream_id  text not null,
        generation integer not null check (generation > 0),
        data_key   bytea check (octet_length(data_key) = 32),
        created_at timestamptz not null default now(),
        erased_at  timestamptz,
        primary key (stream_id, generation),
        check ((data_key is null) = (erased_at is not null))
      )`.execute(db);
    // At most one usable key per stream: concurrent first writers converge on one.
    await sql`
      create unique index data_keys_one_live_key on personal_data.data_keys (stream_id)
      where data_key is not null`.execute(db);
  },
};

const seals: Migration = {
  async up(db: Kysely<unknown>) {
    // A sealed stream (its person erased for good) gets no key again. The seal is a keyless row of
    // its own generation: a key created concurrently wants the same primary key, so one of the two
    // waits for the other and then sees it.
    await sql`
      alter table personal_data.data_keys
        add column sealed boolean not null default false,
        add constraint data_keys_seal_has_no_key check (not sealed or data_key is null)`.execute(db);
    await sql`
      create unique index data_keys_one_seal on personal_data.data_keys (stream_id)
      where sealed`.execute(db);
  },
};

export const personalDataMigrations: MigrationSet = {
  schema: PERSONAL_DATA_SCHEMA,
  migrations: { '0001-data-keys': initial, '0002-seals': seals },
};
