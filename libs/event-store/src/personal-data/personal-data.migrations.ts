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

const wrappedKeys: Migration = {
  async up(db: Kysely<unknown>) {
    // Keys are kept wrapped by the master key, which is not in the database, each naming the master
    // key that wrapped it. Keys stored before in the clear (data_key) are wrapped by the first start
    // holding a master key, which then drops that column (see wrapPlaintextDataKeys): a migration
    // cannot, not having the key. Meanwhile a row holds at most one of the two.
    await sql`
      alter table personal_data.data_keys
        add column wrapped_key bytea,
        add column wrapped_by  text,
        add constraint data_keys_wrapped_by check ((wrapped_key is null) = (wrapped_by is null)),
        add constraint data_keys_one_form check (data_key is null or wrapped_key is null),
        drop constraint data_keys_check,
        add constraint data_keys_key_or_erased check ((data_key is null and wrapped_key is null) = (erased_at is not null)),
        add constraint data_keys_seal_has_no_wrapped_key check (not sealed or wrapped_key is null)`.execute(db);
    // A row has a key exactly while it is not erased: the index stays right whichever column holds
    // it, and survives the plaintext column.
    await sql`drop index personal_data.data_keys_one_live_key`.execute(db);
    await sql`create unique index data_keys_one_live_key on personal_data.data_keys (stream_id) where erased_at is null`.execute(db);
    // Which master keys wrap keys, for the start's check and the rotation.
    await sql`create index data_keys_wrapped_by on personal_data.data_keys (wrapped_by) where wrapped_by is not null`.execute(db);
  },
};

const keyLinks: Migration = {
  async up(db: Kysely<unknown>) {
    // Streams holding a person's data: under their own key (an e-mail claim, an anonymous visitor
    // they were), which sealing the person erases, or under the person's key (a rep's task about
    // them). Sealing deletes the links too.
    await sql`
      create table personal_data.key_links (
        subject_stream text not null,
        linked_stream  text not null,
        own_key        boolean not null,
        primary key (subject_stream, linked_stream)
      )`.execute(db);
  },
};

export const personalDataMigrations: MigrationSet = {
  schema: PERSONAL_DATA_SCHEMA,
  migrations: { '0001-data-keys': initial, '0002-seals': seals, '0003-wrapped-keys': wrappedKeys, '0004-key-links': keyLinks },
};
