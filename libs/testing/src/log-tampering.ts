import type pg from 'pg';

/**
 * Runs `statements` as whoever tampers with the log must: a superuser session with
 * session_replication_role = replica, under which the log's append-only triggers do not fire.
 */
export async function tamperWithLog(pool: pg.Pool, statements: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('set session_replication_role = replica');
    await statements(client);
  } finally {
    await client.query('reset session_replication_role').catch(() => undefined);
    client.release();
  }
}
