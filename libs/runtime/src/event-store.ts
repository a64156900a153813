import type pg from 'pg';
import {
  EventStoreDbEventStore,
  PersonalDataEventStore,
  type PersonalDataPolicy,
  PostgresDataKeyStore,
  PostgresEventStore,
  UpcasterRegistry,
  UpcastingEventStore,
  type DataKeyStore,
  type EventStore,
} from '#event-store';
import type { AppConfig } from '#config';
import { masterKeyringOf } from '#keys';
import { DOMAIN_PERSONAL_DATA, domainUpcasters } from '#event-catalog';

/** What the domain says about its events: which fields are personal, how old versions are upcast. */
export interface EventSchema {
  readonly personalData: PersonalDataPolicy;
  readonly upcasters: UpcasterRegistry;
}

/** The schema of every bounded context's events. */
export const DOMAIN_EVENT_SCHEMA: EventSchema = {
  personalData: DOMAIN_PERSONAL_DATA,
  upcasters: new UpcasterRegistry(domainUpcasters),
};

/** The log the configuration names: EventStoreDB when EVENTSTORE_URL is set, else PostgreSQL (sharing `pool`). */
export function createLogAdapter(config: AppConfig, pool: pg.Pool): PostgresEventStore | EventStoreDbEventStore {
  switch (config.eventStore.kind) {
    case 'postgres':
      return new PostgresEventStore({ connectionString: config.databaseUrl, pool });
    case 'eventstoredb':
      return new EventStoreDbEventStore(config.eventStore.url);
  }
}

/**
 * The event store the apps use: the configured log, with personal fields encrypted under per-stream
 * keys kept in PostgreSQL (whichever log is used), and old event versions upcast on read.
 */
export function createEventStore(config: AppConfig, pool: pg.Pool, keys: DataKeyStore, schema: EventSchema): EventStore {
  const personalData = new PersonalDataEventStore(createLogAdapter(config, pool), keys, schema.personalData);
  return new UpcastingEventStore(personalData, schema.upcasters);
}

/** The personal-data keys in DATABASE_URL's database (through `pool`), wrapped by the configured master key. */
export function openDataKeyStore(config: AppConfig, pool: pg.Pool): PostgresDataKeyStore {
  return new PostgresDataKeyStore({ connectionString: config.databaseUrl, pool, masterKeys: masterKeyringOf(config) });
}

/**
 * The event store exactly as the apps use it, for processes outside Nest (CLI, tools, tests): the
 * configured log, personal-data keys in DATABASE_URL's database (through `pool`), the domain's schema.
 */
export function openEventStore(config: AppConfig, pool: pg.Pool): EventStore {
  return createEventStore(config, pool, openDataKeyStore(config, pool), DOMAIN_EVENT_SCHEMA);
}
