import {
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Dialect,
  type Migration,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';
import type pg from 'pg';
import { borrowedPool } from './database.js';

export interface MigrationSet {
  /** Owner of the migrations; its history is kept in `<schema>.kysely_migration`. */
  readonly schema: string;
  readonly migrations: Record<string, Migration>;
  /** Run the migrations with Kysely bound to `schema` (`withSchema`), so they name tables unqualified. */
  readonly bindToSchema?: boolean;
}

// Advisory-lock namespace of migrations ("migr"), one lock per schema.
const MIGRATION_LOCK_SPACE = 0x6d696772;

/**
 * Applies a component's migrations (the event store's, a projection's), each component in its own
 * schema with its own history, so components migrate independently. Processes starting together
 * migrate a schema one at a time: `create schema if not exists` itself is not safe against a
 * concurrent twin, so the whole run holds a per-schema advisory lock. The migrator looks only at
 * its own schema in the catalog (see {@link SchemaIntrospector}), so schemas other components drop
 * meanwhile (a verification's scratch tables, a replaced build's) cannot fail it.
 */
export async function migrate(pool: pg.Pool, set: MigrationSet): Promise<void> {
  const lock = await pool.connect();
  const db = new Kysely<unknown>({ dialect: schemaScopedDialect(pool, set.schema) });
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    await lock.query('select pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_SPACE, set.schema]);
    await db.schema.createSchema(set.schema).ifNotExists().execute();
    const migrator = new Migrator({
      db: set.bindToSchema ? db.withSchema(set.schema) : db,
      migrationTableSchema: set.schema,
      provider: { getMigrations: async () => set.migrations },
    });
    outcome = await migrator.migrateToLatest();
  } finally {
    await db.destroy();
    // Ending the session would release the lock too, should the unlock itself fail.
    await lock.query('select pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_SPACE, set.schema]).catch(() => undefined);
    lock.release();
  }
  const { error, results } = outcome;
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migrating ${set.schema} failed at ${failed}: ${String(error)}`, { cause: error });
  }
}

/** PostgreSQL, except that the migrator's look at the catalog sees `schema` alone. */
function schemaScopedDialect(pool: pg.Pool, schema: string): Dialect {
  const postgres = new PostgresDialect({ pool: borrowedPool(pool) });
  return {
    createDriver: () => postgres.createDriver(),
    createQueryCompiler: () => postgres.createQueryCompiler(),
    createAdapter: () => postgres.createAdapter(),
    createIntrospector: (db) => new SchemaIntrospector(db, schema),
  };
}

/**
 * What the migrator asks the catalog (does the schema, do its history tables exist), for one
 * schema. Kysely's own introspector reads every table of the database and checks each schema's
 * privilege by name: a schema dropped by another session during that read fails it with `schema
 * "..." does not exist`. This one resolves no name but its own and reads no column: the migrator
 * needs only the tables' names.
 */
class SchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<SchemaMetadata>`select nspname as name from pg_catalog.pg_namespace where nspname = ${this.schema}`.execute(this.db);
    return rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${this.schema} and c.relkind in ('r', 'v', 'p')
      order by c.relname`.execute(this.db);
    return rows.map((row) => ({ name: row.name, schema: this.schema, isView: row.kind === 'v', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}
