import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationSet } from '#postgres';

export const SERVICE_SCHEMA = 'service';

/** The tables of the `service` schema, as kysely sees them. */
export interface ServiceTables {
  'service.tracking_counters': { prefix: string; year: number; last_sequence: string };
  'service.tracking_numbers': { tracking_number: string; ticket_id: string; prefix: string; year: number; sequence: string };
}

const trackingNumbers: Migration = {
  async up(db: Kysely<unknown>) {
    // One counter per prefix and year: drawing a number locks that row for one statement only, so
    // concurrent opens queue briefly and each gets its own value.
    await sql`
      create table service.tracking_counters (
        prefix        text not null,
        year          integer not null,
        last_sequence bigint not null,
        primary key (prefix, year)
      )`.execute(db);
    // The number each ticket holds; a ticket id keeps its number across retries of its open.
    await sql`
      create table service.tracking_numbers (
        tracking_number text primary key,
        ticket_id       text not null unique,
        prefix          text not null,
        year            integer not null,
        sequence        bigint not null,
        unique (prefix, year, sequence)
      )`.execute(db);
  },
};

export const serviceMigrations: MigrationSet = {
  schema: SERVICE_SCHEMA,
  migrations: { '0001-tracking-numbers': trackingNumbers },
};
