import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { RecordedEvent } from '#event-store';
import { borrowedPool, migrate, storableText, type MigrationSet } from '#postgres';
import { RetryLaterError, projectionSchema, type Projection } from './projection.js';
import type { BuildId } from './projection-builds.js';
import type { ProjectionsTables } from './projections.migrations.js';

/** The migration set of one version of a projection: its own schema (or `schema`), its own history. */
export function projectionMigrations(projection: Projection, schema = projectionSchema(projection.name, projection.version)): MigrationSet {
  return { schema, migrations: projection.migrations, bindToSchema: true };
}

/** Creates (or migrates) the tables of a build of the projection's version. */
export async function prepareProjectionTables(pool: pg.Pool, projection: Projection, build = 0): Promise<string> {
  const set = projectionMigrations(projection, projectionSchema(projection.name, projection.version, build));
  await migrate(pool, set);
  return set.schema;
}

/** Drops every table of one build of a projection (after a newer build replaced it). */
export async function dropProjectionTables(pool: pg.Pool, name: string, id: BuildId): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  try {
    await sql`drop schema if exists ${sql.id(projectionSchema(name, id.version, id.build))} cascade`.execute(db);
  } finally {
    await db.destroy();
  }
}

/** A projection's handler threw on a batch of events (as opposed to the database failing under the runner). */
export class ProjectionHandlerError extends Error {
  constructor(
    readonly events: readonly RecordedEvent[],
    override readonly cause: unknown,
  ) {
    super(`${describe(events)}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ProjectionHandlerError';
  }

  /** The handler asked for the batch to be applied again later, rather than failing on an event. */
  get retryLater(): boolean {
    return this.cause instanceof RetryLaterError;
  }

  /** The event that failed, once the batch is narrowed to one. */
  get event(): RecordedEvent | undefined {
    return this.events.length === 1 ? this.events[0] : undefined;
  }
}

function describe(events: readonly RecordedEvent[]): string {
  const [first] = events;
  if (events.length === 1) return `event ${first.id} (${first.type}, ${first.streamId}@${first.revision})`;
  return `a batch of ${events.length} events from ${first.id} (${first.streamId}@${first.revision})`;
}

/**
 * Applies a batch of events inside `executor`, with the projection bound to its version's schema
 * (or to `schema`: scratch tables of a verification).
 */
export async function applyEvents<DB, Outer>(
  executor: Kysely<Outer>,
  projection: Projection<DB>,
  events: readonly RecordedEvent[],
  schema = projectionSchema(projection.name, projection.version),
): Promise<void> {
  // The projection's tables are its own: the caller's table types say nothing about them.
  const db = executor.withSchema(schema) as unknown as Kysely<DB>;
  if (events.length === 0) return;
  try {
    await projection.apply(db, events.map(storableEvent));
  } catch (error) {
    throw new ProjectionHandlerError(events, error);
  }
}

/** The event with text PostgreSQL can store, whatever its strings hold (see storableText). */
function storableEvent(event: RecordedEvent): RecordedEvent {
  const [data, metadata] = [storableText(event.data), storableText(event.metadata)];
  return data === event.data && metadata === event.metadata ? event : { ...event, data, metadata };
}

/** The schema queries of projection `name` read: its active build's, or null before any build served. */
export async function activeSchema(db: Kysely<ProjectionsTables>, name: string): Promise<string | null> {
  const row = await db.selectFrom('projections.active_versions').select(['version', 'build']).where('name', '=', name).executeTakeFirst();
  return row ? projectionSchema(name, row.version, row.build) : null;
}
