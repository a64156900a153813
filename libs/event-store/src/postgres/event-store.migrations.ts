import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const EVENT_STORE_SCHEMA = 'event_store';

/** SQLSTATEs raised by event_store.append, mapped to the port's errors by the adapter. */
export const WRONG_EXPECTED_REVISION = 'ES409';
export const DUPLICATE_EVENT_ID = 'ES410';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table event_store.streams (
        stream_id text primary key,
        revision  bigint not null
      )`.execute(db);

    // Global order is (transaction_id, sequence): a reader only takes transactions older than the
    // oldest one still running (pg_snapshot_xmin), so an event whose sequence was drawn early but
    // committed late is never skipped, and an aborted one is never seen.
    await sql`
      create table event_store.events (
        sequence       bigint generated always as identity,
        transaction_id xid8 not null default pg_current_xact_id(),
        stream_id      text not null,
        revision       bigint not null,
        event_id       uuid not null unique,
        type           text not null,
        schema_version integer not null,
        data           jsonb not null,
        metadata       jsonb not null,
        recorded_at    timestamptz not null,
        primary key (stream_id, revision)
      )`.execute(db);
    await sql`create unique index events_log_order on event_store.events (transaction_id, sequence)`.execute(db);

    // One round trip per append. The stream is locked (advisory lock, which takes no transaction id)
    // before anything is written, so the transaction id is drawn while holding the stream: a later
    // append to the same stream always gets a larger transaction id, and log order keeps stream order.
    await sql`
      create function event_store.append(
        p_stream_id text,
        p_expected text,            -- 'any' | 'no_stream' | 'stream_exists' | '<revision>'
        p_event_ids uuid[],
        p_types text[],
        p_schema_versions integer[],
        p_data jsonb[],
        p_metadata jsonb[]
      ) returns table (revision bigint, transaction_id xid8, sequence bigint)
      language plpgsql volatile as $$
      #variable_conflict use_column
      declare
        v_current bigint;
        v_found integer;
        v_matching integer;
        v_count integer := cardinality(p_event_ids);
      begin
        if pg_current_xact_id_if_assigned() is not null then
          raise exception 'event_store.append must be the first write of its transaction';
        end if;
        perform pg_advisory_xact_lock(1163284301, hashtext(p_stream_id));

        -- Idempotency: a retry of an append already made returns that append's result.
        select count(*), count(*) filter (where e.stream_id = p_stream_id)
          into v_found, v_matching
          from event_store.events e where e.event_id = any(p_event_ids);
        if v_found > 0 then
          if v_found = v_count and v_matching = v_count then
            return query
              select e.revision, e.transaction_id, e.sequence from event_store.events e
              where e.event_id = any(p_event_ids) order by e.revision desc limit 1;
            return;
          end if;
          raise exception using errcode = 'ES410', message = 'duplicate event id',
            detail = (select string_agg(e.event_id::text, ',') from event_store.events e
                      where e.event_id = any(p_event_ids));
        end if;

        select s.revision into v_current from event_store.streams s where s.stream_id = p_stream_id;
        if (p_expected = 'no_stream' and v_current is not null)
           or (p_expected = 'stream_exists' and v_current is null)
           or (p_expected ~ '^[0-9]+$' and v_current is distinct from p_expected::bigint) then
          raise exception using errcode = 'ES409', message = 'wrong expected revision',
            detail = coalesce(v_current::text, '');
        end if;

        return query
          with appended as (
            insert into event_store.events
              (stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at)
            -- Millisecond precision: what a JS Date carries, so "as of recordedAt" includes that event.
            select p_stream_id, coalesce(v_current, -1) + e.ord, e.id, e.type, e.version, e.data, e.metadata,
                   date_trunc('milliseconds', clock_timestamp())
            from unnest(p_event_ids, p_types, p_schema_versions, p_data, p_metadata)
                 with ordinality as e(id, type, version, data, metadata, ord)
            returning event_store.events.revision, event_store.events.transaction_id, event_store.events.sequence
          ), stream as (
            insert into event_store.streams (stream_id, revision)
            values (p_stream_id, coalesce(v_current, -1) + v_count)
            on conflict (stream_id) do update set revision = excluded.revision
          )
          select a.revision, a.transaction_id, a.sequence from appended a order by a.revision desc limit 1;
      end $$`.execute(db);
  },
};

/**
 * Each event's hash over its stored form, chained per stream (log-hash.ts defines the same in
 * TypeScript, for verification). Computed inside event_store.append, so an append stays one round
 * trip; the stream's last hash is kept beside its revision, read under the same lock. Events
 * recorded before are hashed here, stream by stream in revision order, so old logs verify clean.
 */
const eventHashes: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table event_store.events add column previous_hash bytea, add column hash bytea`.execute(db);
    await sql`alter table event_store.streams add column last_hash bytea`.execute(db);

    // A text as its UTF-8 byte length (int4, big-endian) and its bytes: no two field lists encode alike.
    await sql`
      create function event_store.hash_field(p_text text) returns bytea
      language sql immutable strict parallel safe
      return int4send(length(convert_to(p_text, 'UTF8'))) || convert_to(p_text, 'UTF8')`.execute(db);
    // jsonb's text output is canonical (key order, spacing), and what a read of data::text returns.
    await sql`
      create function event_store.event_hash(
        p_previous bytea, p_stream_id text, p_revision bigint, p_event_id uuid, p_type text,
        p_schema_version integer, p_data jsonb, p_metadata jsonb
      ) returns bytea
      language sql immutable strict parallel safe
      return sha256(
        event_store.hash_field('crm-event-hash/1') || p_previous || int8send(p_revision) || int4send(p_schema_version)
        || event_store.hash_field(p_stream_id) || event_store.hash_field(p_event_id::text) || event_store.hash_field(p_type)
        || event_store.hash_field(p_data::text) || event_store.hash_field(p_metadata::text))`.execute(db);

    await sql`
      do $$
      declare
        v_event record;
        v_stream text;
        v_previous bytea;
        v_hash bytea;
      begin
        for v_event in select * from event_store.events order by stream_id, revision loop
          if v_stream is distinct from v_event.stream_id then
            v_stream := v_event.stream_id;
            v_previous := decode(repeat('00', 32), 'hex');
          end if;
          v_hash := event_store.event_hash(v_previous, v_event.stream_id, v_event.revision, v_event.event_id, v_event.type,
                                           v_event.schema_version, v_event.data, v_event.metadata);
          update event_store.events set previous_hash = v_previous, hash = v_hash
            where stream_id = v_event.stream_id and revision = v_event.revision;
          v_previous := v_hash;
        end loop;
        update event_store.streams s set last_hash = e.hash
          from event_store.events e where e.stream_id = s.stream_id and e.revision = s.revision;
      end $$`.execute(db);
    await sql`alter table event_store.events alter column previous_hash set not null, alter column hash set not null`.execute(db);

    // event_store.event_hash (above, for the backfill) cannot be inlined (convert_to is only stable):
    // the append computes the same hash in one pass rather than seven SQL-function calls per event.
    await sql`
      create or replace function event_store.append(
        p_stream_id text,
        p_expected text,            -- 'any' | 'no_stream' | 'stream_exists' | '<revision>'
        p_event_ids uuid[],
        p_types text[],
        p_schema_versions integer[],
        p_data jsonb[],
        p_metadata jsonb[]
      ) returns table (revision bigint, transaction_id xid8, sequence bigint)
      language plpgsql volatile as $$
      #variable_conflict use_column
      declare
        v_current bigint;
        v_previous bytea;
        v_found integer;
        v_matching integer;
        v_count integer := cardinality(p_event_ids);
        v_stream bytea := convert_to(p_stream_id, 'UTF8');
        -- event_store.hash_field('crm-event-hash/1'), spelled out like every field below.
        v_tag bytea := int4send(16) || convert_to('crm-event-hash/1', 'UTF8');
        v_type bytea;
        v_data bytea;
        v_metadata bytea;
        v_previous_hashes bytea[] := '{}';
        v_hashes bytea[] := '{}';
      begin
        if pg_current_xact_id_if_assigned() is not null then
          raise exception 'event_store.append must be the first write of its transaction';
        end if;
        perform pg_advisory_xact_lock(1163284301, hashtext(p_stream_id));

        -- Idempotency: a retry of an append already made returns that append's result.
        select count(*), count(*) filter (where e.stream_id = p_stream_id)
          into v_found, v_matching
          from event_store.events e where e.event_id = any(p_event_ids);
        if v_found > 0 then
          if v_found = v_count and v_matching = v_count then
            return query
              select e.revision, e.transaction_id, e.sequence from event_store.events e
              where e.event_id = any(p_event_ids) order by e.revision desc limit 1;
            return;
          end if;
          raise exception using errcode = 'ES410', message = 'duplicate event id',
            detail = (select string_agg(e.event_id::text, ',') from event_store.events e
                      where e.event_id = any(p_event_ids));
        end if;

        select s.revision, s.last_hash into v_current, v_previous from event_store.streams s where s.stream_id = p_stream_id;
        if (p_expected = 'no_stream' and v_current is not null)
           or (p_expected = 'stream_exists' and v_current is null)
           or (p_expected ~ '^[0-9]+$' and v_current is distinct from p_expected::bigint) then
          raise exception using errcode = 'ES409', message = 'wrong expected revision',
            detail = coalesce(v_current::text, '');
        end if;

        -- event_store.event_hash spelled out, each text converted once; per append: the tag and the stream.
        v_stream := int4send(length(v_stream)) || v_stream;
        v_previous := coalesce(v_previous, decode(repeat('00', 32), 'hex'));
        for i in 1 .. v_count loop
          v_previous_hashes[i] := v_previous;
          v_type := convert_to(p_types[i], 'UTF8');
          v_data := convert_to(p_data[i]::text, 'UTF8');
          v_metadata := convert_to(p_metadata[i]::text, 'UTF8');
          v_previous := sha256(v_tag || v_previous || int8send(coalesce(v_current, -1) + i) || int4send(p_schema_versions[i]) || v_stream
            -- A uuid's text is always 36 ASCII characters.
            || int4send(36) || convert_to(p_event_ids[i]::text, 'UTF8') || int4send(length(v_type)) || v_type
            || int4send(length(v_data)) || v_data || int4send(length(v_metadata)) || v_metadata);
          v_hashes[i] := v_previous;
        end loop;

        return query
          with appended as (
            insert into event_store.events
              (stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
            -- Millisecond precision: what a JS Date carries, so "as of recordedAt" includes that event.
            select p_stream_id, coalesce(v_current, -1) + e.ord, e.id, e.type, e.version, e.data, e.metadata,
                   date_trunc('milliseconds', clock_timestamp()), e.previous_hash, e.hash
            from unnest(p_event_ids, p_types, p_schema_versions, p_data, p_metadata, v_previous_hashes, v_hashes)
                 with ordinality as e(id, type, version, data, metadata, previous_hash, hash, ord)
            returning event_store.events.revision, event_store.events.transaction_id, event_store.events.sequence
          ), stream as (
            insert into event_store.streams (stream_id, revision, last_hash)
            values (p_stream_id, coalesce(v_current, -1) + v_count, v_previous)
            on conflict (stream_id) do update set revision = excluded.revision, last_hash = excluded.last_hash
          )
          select a.revision, a.transaction_id, a.sequence from appended a order by a.revision desc limit 1;
      end $$`.execute(db);
  },
};

/**
 * The log refuses UPDATE, DELETE and TRUNCATE, whoever asks: rewriting history takes a superuser who
 * disables the trigger or sets session_replication_role = replica, and the hashes show what was done.
 */
const appendOnly: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create function event_store.refuse_change() returns trigger
      language plpgsql as $$
      begin
        raise exception using errcode = 'insufficient_privilege',
          message = format('%s on %I.%I refused: the event log is append-only', tg_op, tg_table_schema, tg_table_name);
      end $$`.execute(db);
    // Per statement: nothing per row on the append path, and a statement that would change no row fails too.
    await sql`
      create trigger events_append_only before update or delete or truncate on event_store.events
      for each statement execute function event_store.refuse_change()`.execute(db);
  },
};


export const eventStoreMigrations: MigrationSet = {
  schema: EVENT_STORE_SCHEMA,
  migrations: { '0001-event-log': initial, '0002-event-hashes': eventHashes, '0003-append-only': appendOnly },
};
