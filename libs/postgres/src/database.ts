import type { PostgresPool } from 'kysely';
import pg from 'pg';

// int8 (bigint) columns come back as strings by default; revisions and counts fit in a JS number,
// positions are parsed explicitly where they are read.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface PoolOptions {
  readonly max?: number;
  readonly applicationName?: string;
}

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'crm',
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** A pool for Kysely that Kysely's destroy() does not end: the pool belongs to someone else. */
export function borrowedPool(pool: pg.Pool): PostgresPool {
  return { connect: () => pool.connect(), end: async () => undefined };
}

/** Creates the database named in `connectionString` if it does not exist (the local default needs no setup). */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL names no database: ${connectionString}`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) {
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } catch (error) {
        // Another process created it between our check and our create: duplicate_database, or
        // unique_violation when both creates ran at the same time.
        const { code } = error as { code?: string };
        if (code !== '42P04' && code !== '23505') throw error;
      }
    }
  } finally {
    await client.end();
  }
}
