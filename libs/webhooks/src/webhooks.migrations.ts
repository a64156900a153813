import { sql, type ColumnType, type Generated, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';
import type { AttemptOutcome, DeliveryStatus } from './webhook.delivery.js';

export const WEBHOOKS_SCHEMA = 'webhooks';

/** The NOTIFY channel told (on commit) when deliveries became `queued` without a job: the pump adds theirs. */
export const WEBHOOKS_QUEUED = 'webhooks_queued';

/** `gone`: the receiver answered 410; `admin`: DELETE /webhooks/{id}. */
export type DisabledReason = 'gone' | 'admin';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    // `from_position`: the head of the log when the subscription was created; only later events
    // are delivered to it, so it never receives old history and a replay never redelivers.
    await sql`
      create table webhooks.subscriptions (
        id              uuid primary key default gen_random_uuid(),
        url             text not null,
        event_types     text[] not null,
        secret          text not null,
        description     text,
        status          text not null default 'active' check (status in ('active', 'disabled')),
        disabled_reason text check (disabled_reason in ('gone', 'admin')),
        disabled_at     timestamptz,
        from_position   text not null,
        created_at      timestamptz not null default now(),
        check ((status = 'active') = (disabled_reason is null and disabled_at is null))
      )`.execute(db);
    // The outbox: one row per event and subscription (its id derived from both), never a copy of
    // the event (personal data lives encrypted in the log, and an erasure must reach receivers).
    // `attempts` counts every attempt made; `round_start` those made before the current round (a
    // manual retry starts a new one). `enqueued_attempt`: the attempt whose job was added to Redis.
    // `seq`: creation order, the order of the log (one dispatcher writes at a time), for listing.
    await sql`
      create table webhooks.deliveries (
        id               uuid primary key,
        seq              bigint generated always as identity,
        subscription_id  uuid not null references webhooks.subscriptions (id),
        event_id         uuid not null,
        event_type       text not null,
        stream_id        text not null,
        stream_revision  bigint not null,
        position         text not null,
        status           text not null check (status in ('pending', 'queued', 'delivered', 'dead', 'cancelled')),
        attempts         integer not null default 0,
        round_start      integer not null default 0,
        enqueued_attempt integer,
        next_attempt_at  timestamptz,
        created_at       timestamptz not null default now(),
        finished_at      timestamptz,
        last_status_code integer,
        last_error       text
      )`.execute(db);
    await sql`create index deliveries_lane on webhooks.deliveries (subscription_id, stream_id, stream_revision) where status in ('pending', 'queued')`.execute(db);
    await sql`create index deliveries_queued on webhooks.deliveries (id) where status = 'queued'`.execute(db);
    await sql`create index deliveries_listing on webhooks.deliveries (subscription_id, seq)`.execute(db);
    // Dead letters per subscription, for monitoring (GET /metrics).
    await sql`create index deliveries_dead on webhooks.deliveries (subscription_id) where status = 'dead'`.execute(db);
    await sql`
      create table webhooks.delivery_attempts (
        delivery_id uuid not null references webhooks.deliveries (id),
        attempt     integer not null,
        started_at  timestamptz not null,
        duration_ms integer not null,
        status_code integer,
        error       text,
        outcome     text not null check (outcome in ('delivered', 'failed', 'gone')),
        primary key (delivery_id, attempt)
      )`.execute(db);
  },
};

export const webhooksMigrations: MigrationSet = {
  schema: WEBHOOKS_SCHEMA,
  migrations: { '0001-webhooks': initial },
};

export interface SubscriptionsTable {
  id: Generated<string>;
  url: string;
  event_types: string[];
  secret: string;
  description: string | null;
  status: Generated<'active' | 'disabled'>;
  disabled_reason: DisabledReason | null;
  disabled_at: Date | null;
  from_position: string;
  created_at: Generated<Date>;
}

export interface DeliveriesTable {
  id: string;
  seq: ColumnType<number, never, never>;
  subscription_id: string;
  event_id: string;
  event_type: string;
  stream_id: string;
  stream_revision: number;
  position: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  round_start: Generated<number>;
  enqueued_attempt: number | null;
  next_attempt_at: Date | null;
  created_at: Generated<Date>;
  finished_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
}

export interface DeliveryAttemptsTable {
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  outcome: AttemptOutcome;
}

export interface WebhookTables {
  'webhooks.subscriptions': SubscriptionsTable;
  'webhooks.deliveries': DeliveriesTable;
  'webhooks.delivery_attempts': DeliveryAttemptsTable;
}
