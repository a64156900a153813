import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const PROJECTIONS_SCHEMA = 'projections';

/** The NOTIFY channel a runner signals after each batch it commits; the payload is the projection's name. */
export const PROJECTIONS_ADVANCED = 'projections_advanced';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    // One row per projection version. `position` (serialised) moves in the same transaction as the
    // rows a batch wrote, and only from the value the writer read: a second writer cannot double it.
    await sql`
      create table projections.checkpoints (
        name              text not null,
        version           integer not null,
        position          text not null default '0-0',
        status            text not null default 'running' check (status in ('running', 'failed')),
        events_applied    bigint not null default 0,
        error             text,
        failed_event_id   uuid,
        failed_event_type text,
        failed_position   text,
        failed_at         timestamptz,
        updated_at        timestamptz not null default now(),
        primary key (name, version)
      )`.execute(db);
    // The version queries read: a new version takes over once it has caught up with the log.
    await sql`
      create table projections.active_versions (
        name    text primary key,
        version integer not null
      )`.execute(db);
  },
};

const builds: Migration = {
  async up(db: Kysely<unknown>) {
    // A rebuild of the same version is a new build of it: its own tables, checkpoint and takeover.
    await sql`alter table projections.checkpoints add column build integer not null default 0`.execute(db);
    await sql`alter table projections.checkpoints drop constraint checkpoints_pkey, add primary key (name, version, build)`.execute(db);
    await sql`alter table projections.active_versions add column build integer not null default 0`.execute(db);
  },
};

const waiting: Migration = {
  async up(db: Kysely<unknown>) {
    // `waiting`: the handler asked to retry later (a dependency is away); `error` holds why.
    await sql`alter table projections.checkpoints drop constraint checkpoints_status_check`.execute(db);
    await sql`alter table projections.checkpoints add constraint checkpoints_status_check check (status in ('running', 'waiting', 'failed'))`.execute(db);
  },
};

const skippedEvents: Migration = {
  async up(db: Kysely<unknown>) {
    // The stream of the failed event, for the operator deciding whether to skip it.
    await sql`alter table projections.checkpoints add column failed_stream_id text`.execute(db);
    // The audit of poison events an operator let a projection pass: every build of that version
    // passes them without applying them (a new version applies them again). `build` is the one that
    // was failed at the event when the skip was recorded; `error`, what it failed with.
    await sql`
      create table projections.skipped_events (
        name       text not null,
        version    integer not null,
        build      integer not null,
        position   text not null,
        event_id   uuid not null,
        event_type text not null,
        stream_id  text not null,
        reason     text not null check (length(btrim(reason)) > 0),
        error      text not null,
        failed_at  timestamptz not null,
        skipped_at timestamptz not null default now(),
        primary key (name, version, position)
      )`.execute(db);
  },
};

export const projectionsMigrations: MigrationSet = {
  schema: PROJECTIONS_SCHEMA,
  migrations: { '0001-checkpoints': initial, '0002-builds': builds, '0003-waiting': waiting, '0004-skipped-events': skippedEvents },
};

export interface ProjectionsTables {
  'projections.checkpoints': {
    name: string;
    version: number;
    build: Generated<number>;
    position: Generated<string>;
    status: Generated<'running' | 'waiting' | 'failed'>;
    events_applied: Generated<number>;
    error: string | null;
    failed_event_id: string | null;
    failed_event_type: string | null;
    failed_stream_id: string | null;
    failed_position: string | null;
    failed_at: Date | null;
    updated_at: Generated<Date>;
  };
  'projections.active_versions': { name: string; version: number; build: Generated<number> };
  'projections.skipped_events': {
    name: string;
    version: number;
    build: number;
    position: string;
    event_id: string;
    event_type: string;
    stream_id: string;
    reason: string;
    error: string;
    failed_at: Date;
    skipped_at: Generated<Date>;
  };
}
