import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const LEAD_CAPTURE_SCHEMA = 'lead_capture';

/**
 * The row of `lead_capture.secrets` where the first migration generates the e-mail HMAC key in the
 * clear; the first start moves it into the wrapped secrets and deletes it (see email-secret.ts).
 */
export const EMAIL_SECRET_NAME = 'email-claim';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    // A form's key is public (embedded in web pages), so it is stored as is and looked up directly.
    // A disabled form keeps its row: its submissions in the log still name its id.
    await sql`
      create table lead_capture.forms (
        id                uuid primary key default gen_random_uuid(),
        name              text not null,
        public_key        text not null unique,
        fields            text[] not null default '{}',
        required_fields   text[] not null default '{}',
        honeypot_field    text not null,
        campaign_id       text,
        ad_id             text,
        affiliate_site_id text,
        success_url       text,
        created_at        timestamptz not null default now(),
        disabled_at       timestamptz
      )`.execute(db);
    // Generated here, under the migration lock, so that every process of a deployment hashes
    // e-mail addresses alike without an operator having to set a secret for a first start.
    // gen_random_uuid draws from the server's strong random source: 244 random bits.
    await sql`
      create table lead_capture.secrets (
        name       text primary key,
        value      text not null,
        created_at timestamptz not null default now()
      )`.execute(db);
    await sql`
      insert into lead_capture.secrets (name, value)
      values (${EMAIL_SECRET_NAME}, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))`.execute(db);
  },
};

export const leadCaptureMigrations: MigrationSet = {
  schema: LEAD_CAPTURE_SCHEMA,
  migrations: { '0001-forms': initial },
};
