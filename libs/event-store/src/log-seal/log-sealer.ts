import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import type { EventStore } from '../event-store.port.js';
import { CHAIN_START, GENESIS_HASH, chainHash, eventHash, signCheckpoint, signingKeyId } from '../log-hash.js';
import { START, serializePosition } from '../position.js';
import { LogSealStore, type LogCheckpoint, type SealedLink } from './log-seal.store.js';

export interface LogSealerOptions {
  /** A checkpoint at least every this many events... */
  readonly checkpointEvery?: number;
  /** ...and, while events came since the last one, at least this often. */
  readonly checkpointIntervalMs?: number;
  /** Events read and chained per transaction. */
  readonly pageSize?: number;
  /** At the head of the log: how soon to look for new events (sealing is not on anyone's critical path). */
  readonly idleMs?: number;
  /** While another process seals: how soon to try to take over. */
  readonly standbyRetryMs?: number;
  readonly log?: (message: string) => void;
  readonly logError?: (message: string, error: unknown) => void;
}

/** Another process seals the log (it holds the ownership lock). */
export class LogSealOwnedElsewhereError extends Error {
  constructor() {
    super('another process is sealing the log');
    this.name = 'LogSealOwnedElsewhereError';
  }
}

// Advisory-lock namespace of the sealer's ownership ("seal"); one sealer per database.
const OWNERSHIP_LOCK_SPACE = 0x7365616c;

interface SealState {
  readonly last: SealedLink | null;
  /** Events and time of the last checkpoint (none: 0, never). */
  readonly signedEvents: number;
  readonly signedAt: number;
}

/**
 * Follows the log in order, as a subscriber does, and chains every event's hash into the global
 * chain (log_seal.chain), signing a checkpoint every N events or T seconds with a key that is not in
 * the database. The global order cannot be chained at append time: PostgreSQL's (transaction id,
 * sequence) order is only final once older transactions ended. One process seals at a time (a
 * session advisory lock, like projection ownership); a restart resumes after the last chained
 * event, and links plus checkpoint are written in one transaction, so a crash loses or doubles nothing.
 *
 * `signingKey` is the checkpoints' HMAC key: LOG_SIGNING_KEY, else the deployment's wrapped secret (runtime's logSigningKey).
 */
export class LogSealer {
  private readonly seal: LogSealStore;
  private readonly keyId: Buffer;
  private readonly checkpointEvery: number;
  private readonly checkpointIntervalMs: number;
  private readonly pageSize: number;
  private readonly idleMs: number;
  private readonly standbyRetryMs: number;
  private readonly log: (message: string) => void;
  private readonly logError: (message: string, error: unknown) => void;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly pool: pg.Pool,
    private readonly signingKey: Buffer,
    options: LogSealerOptions = {},
  ) {
    this.seal = new LogSealStore(pool);
    this.keyId = signingKeyId(signingKey);
    this.checkpointEvery = options.checkpointEvery ?? 10_000;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 10_000;
    this.pageSize = options.pageSize ?? 1_000;
    this.idleMs = options.idleMs ?? 500;
    this.standbyRetryMs = options.standbyRetryMs ?? 1_000;
    this.log = options.log ?? (() => undefined);
    this.logError = options.logError ?? (() => undefined);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.seal.close();
  }

  /**
   * Chains every event readable now and signs a checkpoint at its end; returns the events chained in
   * all. For tools and tests: throws {@link LogSealOwnedElsewhereError} while another process seals.
   */
  async sealNow(): Promise<number> {
    return this.owning(async () => {
      let state = await this.resume();
      for (;;) {
        const { next, caughtUp } = await this.sealPage(state, true);
        state = next;
        if (caughtUp) return state.last?.events ?? 0;
      }
    });
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await this.owning(async () => {
          this.log('log sealer: owned by this process, chaining the log');
          await this.follow(signal);
        });
      } catch (error) {
        // Another process seals, or the database or the log went away: try again from the last link.
        if (!(error instanceof LogSealOwnedElsewhereError)) this.logError('log sealer interrupted, resuming after the last sealed event', error);
      }
      await sleep(this.standbyRetryMs, signal);
    }
  }

  private async owning<T>(work: () => Promise<T>): Promise<T> {
    const owner = await this.pool.connect();
    let owned = false;
    try {
      const { rows } = await owner.query<{ owned: boolean }>('select pg_try_advisory_lock($1, 0) as owned', [OWNERSHIP_LOCK_SPACE]);
      owned = rows[0].owned;
      if (!owned) throw new LogSealOwnedElsewhereError();
      return await work();
    } finally {
      if (owned) await owner.query('select pg_advisory_unlock($1, 0)', [OWNERSHIP_LOCK_SPACE]).catch(() => undefined);
      owner.release();
    }
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let state = await this.resume();
    while (!signal.aborted) {
      const { next, caughtUp } = await this.sealPage(state, false);
      state = next;
      if (caughtUp) await sleep(this.idleMs, signal);
    }
  }

  private async resume(): Promise<SealState> {
    const [last, checkpoint] = await Promise.all([this.seal.lastLink(), this.seal.lastCheckpoint()]);
    return { last, signedEvents: checkpoint?.events ?? 0, signedAt: checkpoint?.sealedAt.getTime() ?? 0 };
  }

  /** Chains one page of the log after the last link, signing a checkpoint when one is due (`force`: at the head). */
  private async sealPage(state: SealState, force: boolean): Promise<{ next: SealState; caughtUp: boolean }> {
    const { entries } = await this.store.readLogEntries({ from: state.last?.position ?? START, limit: this.pageSize });
    const links: SealedLink[] = [];
    let last = state.last;
    for (const entry of entries) {
      // An event stored without a hash (EventStoreDB, before hashes) is sealed by its content.
      const hash = entry.hash ?? eventHash({ ...entry, eventId: entry.id, previousHash: entry.previousHash ?? GENESIS_HASH });
      last = {
        events: (last?.events ?? 0) + 1,
        position: entry.position,
        streamId: entry.streamId,
        revision: entry.revision,
        eventHash: hash,
        chainHash: chainHash(last?.chainHash ?? CHAIN_START, hash),
      };
      links.push(last);
    }
    const caughtUp = entries.length < this.pageSize;
    const now = Date.now();
    const unsigned = (last?.events ?? 0) - state.signedEvents;
    const due = unsigned >= this.checkpointEvery || now - state.signedAt >= this.checkpointIntervalMs || (force && caughtUp);
    const checkpoint = last && unsigned > 0 && due ? this.sign(last, new Date(now)) : null;
    if (links.length > 0 || checkpoint) await this.seal.append(links, checkpoint);
    return {
      next: checkpoint ? { last, signedEvents: checkpoint.events, signedAt: now } : { ...state, last },
      caughtUp,
    };
  }

  private sign(link: SealedLink, sealedAt: Date): LogCheckpoint {
    const claim = { events: link.events, position: serializePosition(link.position), chain: link.chainHash, sealedAt };
    return {
      events: link.events,
      position: link.position,
      chainHash: link.chainHash,
      sealedAt,
      keyId: this.keyId,
      signature: signCheckpoint(this.signingKey, claim),
    };
  }
}

/** Waits `ms`, or until `signal` aborts; Node's abortable timer removes its listener with the wait (the sealer waits twice a second for days). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
