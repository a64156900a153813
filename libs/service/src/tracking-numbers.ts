import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { formatTrackingNumber } from '#service/domain';
import { borrowedPool } from '#postgres';
import type { ServiceTables } from './service.migrations.js';

/**
 * Draws tickets' tracking numbers from a counter per prefix and year in PostgreSQL, outside the
 * ticket's stream: unique under concurrent opens, the same again for a retried open of the same
 * ticket id. A number drawn by an open that fails later (or loses a race for the same ticket id)
 * is skipped, never reused: the sequence tolerates gaps.
 */
export class TrackingNumbers {
  private readonly db: Kysely<ServiceTables>;

  constructor(
    pool: pg.Pool,
    private readonly prefix: string,
  ) {
    this.db = new Kysely<ServiceTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  }

  /** The ticket's number: the one it holds already, or the next of `openedAt`'s year (UTC). */
  async numberFor(ticketId: string, openedAt: Date): Promise<string> {
    const held = await this.heldBy(ticketId);
    if (held !== undefined) return held;
    const year = openedAt.getUTCFullYear();
    const { last_sequence } = await this.db
      .insertInto('service.tracking_counters')
      .values({ prefix: this.prefix, year, last_sequence: '1' })
      .onConflict((conflict) => conflict.columns(['prefix', 'year']).doUpdateSet({ last_sequence: sql`service.tracking_counters.last_sequence + 1` }))
      .returning('last_sequence')
      .executeTakeFirstOrThrow();
    const sequence = Number(last_sequence);
    const trackingNumber = formatTrackingNumber({ prefix: this.prefix, year, sequence });
    const inserted = await this.db
      .insertInto('service.tracking_numbers')
      .values({ tracking_number: trackingNumber, ticket_id: ticketId, prefix: this.prefix, year, sequence: String(sequence) })
      .onConflict((conflict) => conflict.column('ticket_id').doNothing())
      .returning('tracking_number')
      .executeTakeFirst();
    if (inserted !== undefined) return inserted.tracking_number;
    // Another open of the same ticket id drew a number first: that one is the ticket's, ours a gap.
    const winner = await this.heldBy(ticketId);
    if (winner === undefined) throw new Error(`ticket ${ticketId} holds no tracking number after drawing one`);
    return winner;
  }

  /** The ticket holding a tracking number, if any. */
  async ticketOf(trackingNumber: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('service.tracking_numbers').select('ticket_id').where('tracking_number', '=', trackingNumber).executeTakeFirst();
    return row?.ticket_id;
  }

  private async heldBy(ticketId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('service.tracking_numbers').select('tracking_number').where('ticket_id', '=', ticketId).executeTakeFirst();
    return row?.tracking_number;
  }
}
