import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { borrowedPool } from '#postgres';
import type { Position } from '../position.js';

interface ChainTable {
  events: number;
  /** numeric: read as text. */
  position_major: string;
  position_minor: string;
  stream_id: string;
  revision: number;
  event_hash: Buffer;
  chain_hash: Buffer;
}

interface CheckpointsTable {
  events: number;
  position_major: string;
  position_minor: string;
  chain_hash: Buffer;
  sealed_at: Date;
  key_id: Buffer;
  signature: Buffer;
}

interface LogSealTables {
  'log_seal.chain': ChainTable;
  'log_seal.checkpoints': CheckpointsTable;
}

/** One event as the sealer chained it: its place in the log, which event it was, and the chain after it. */
export interface SealedLink {
  /** Its place in the log, from 1: the number of events chained up to it. */
  readonly events: number;
  readonly position: Position;
  readonly streamId: string;
  readonly revision: number;
  readonly eventHash: Buffer;
  readonly chainHash: Buffer;
}

/** A signed statement about the first `events` events of the log (log-hash.ts, signCheckpoint). */
export interface LogCheckpoint {
  readonly events: number;
  readonly position: Position;
  readonly chainHash: Buffer;
  readonly sealedAt: Date;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

/** The tables of the log seal (log-seal.migrations.ts): read by verification, written by the sealer only. */
export class LogSealStore {
  private readonly db: Kysely<LogSealTables>;

  constructor(pool: pg.Pool) {
    this.db = new Kysely<LogSealTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  }

  async lastLink(): Promise<SealedLink | null> {
    const row = await this.db.selectFrom('log_seal.chain').selectAll().orderBy('events', 'desc').limit(1).executeTakeFirst();
    return row ? toLink(row) : null;
  }

  async lastCheckpoint(): Promise<LogCheckpoint | null> {
    const row = await this.db.selectFrom('log_seal.checkpoints').selectAll().orderBy('events', 'desc').limit(1).executeTakeFirst();
    return row ? toCheckpoint(row) : null;
  }

  /** Links after the `after`-th, in log order, up to `upTo` (inclusive). */
  async links(after: number, upTo: number, limit: number): Promise<SealedLink[]> {
    const rows = await this.db
      .selectFrom('log_seal.chain')
      .selectAll()
      .where('events', '>', after)
      .where('events', '<=', upTo)
      .orderBy('events')
      .limit(limit)
      .execute();
    return rows.map(toLink);
  }

  /** Every checkpoint up to `upTo` events, in order (one per thousands of events: few). */
  async checkpoints(upTo: number): Promise<LogCheckpoint[]> {
    const rows = await this.db.selectFrom('log_seal.checkpoints').selectAll().where('events', '<=', upTo).orderBy('events').execute();
    return rows.map(toCheckpoint);
  }

  /**
   * Adds links (and a checkpoint) in one transaction. Their places are primary keys: a second
   * sealer that ever overlapped would fail here rather than write a fork of the chain.
   */
  async append(links: readonly SealedLink[], checkpoint: LogCheckpoint | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (links.length > 0) {
        await sql`
          insert into log_seal.chain (events, position_major, position_minor, stream_id, revision, event_hash, chain_hash)
          select l.events, l.major, l.minor, l.stream_id, l.revision, decode(l.event_hash, 'hex'), decode(l.chain_hash, 'hex')
          from unnest(${links.map((l) => l.events)}::bigint[], ${links.map((l) => String(l.position.major))}::numeric[],
                      ${links.map((l) => String(l.position.minor))}::numeric[], ${links.map((l) => l.streamId)}::text[],
                      ${links.map((l) => l.revision)}::bigint[], ${links.map((l) => l.eventHash.toString('hex'))}::text[],
                      ${links.map((l) => l.chainHash.toString('hex'))}::text[])
               as l(events, major, minor, stream_id, revision, event_hash, chain_hash)`.execute(trx);
      }
      if (checkpoint) {
        await trx
          .insertInto('log_seal.checkpoints')
          .values({
            events: checkpoint.events,
            position_major: String(checkpoint.position.major),
            position_minor: String(checkpoint.position.minor),
            chain_hash: checkpoint.chainHash,
            sealed_at: checkpoint.sealedAt,
            key_id: checkpoint.keyId,
            signature: checkpoint.signature,
          })
          .execute();
      }
    });
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function toLink(row: ChainTable): SealedLink {
  return {
    events: Number(row.events),
    position: { major: BigInt(row.position_major), minor: BigInt(row.position_minor) },
    streamId: row.stream_id,
    revision: Number(row.revision),
    eventHash: row.event_hash,
    chainHash: row.chain_hash,
  };
}

function toCheckpoint(row: CheckpointsTable): LogCheckpoint {
  return {
    events: Number(row.events),
    position: { major: BigInt(row.position_major), minor: BigInt(row.position_minor) },
    chainHash: row.chain_hash,
    sealedAt: row.sealed_at,
    keyId: row.key_id,
    signature: row.signature,
  };
}
