import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import {
  CHAIN_START,
  GENESIS_HASH,
  LogSealStore,
  START,
  chainHash,
  checkpointSignatureValid,
  comparePositions,
  eventHash,
  serializePosition,
  signingKeyId,
  type EventStore,
  type LogCheckpoint,
  type LogEntry,
  type LogEntryPage,
  type Position,
  type SealedLink,
} from '#event-store';

/** What is wrong with an event of a stream. */
export type StreamProblem =
  /** Its stored form no longer hashes to the hash recorded with it. */
  | 'altered'
  /** Revisions before it are missing: `revision` is the first one missing. */
  | 'deleted'
  /** Its revision was already seen in the stream (repeated or out of order). */
  | 'inserted'
  /** Its previous hash is not the hash of the stream's previous event (that one was rewritten, hash and all, or this one replaced). */
  | 'broken-link'
  /** It carries no hash (EventStoreDB events appended before hashes were recorded). */
  | 'unhashed';

export interface StreamFinding {
  readonly streamId: string;
  readonly revision: number;
  /** Where the problem shows in the log: the event's position (for `deleted`, the next event's). */
  readonly position: string;
  readonly eventId: string;
  readonly problem: StreamProblem;
  readonly detail: string;
  /** Findings in the same stream after this first one. */
  readonly further: number;
}

/** The first place where the log and the chain the sealer recorded part ways. */
export interface ChainDivergence {
  /** Place in the log, from 1. */
  readonly events: number;
  readonly problem: 'altered' | 'removed' | 'inserted' | 'chain-record-altered';
  readonly sealed: { readonly position: string; readonly streamId: string; readonly revision: number };
  /** What the log holds at that place now; `null` when it ends before. */
  readonly found: { readonly position: string; readonly streamId: string; readonly revision: number; readonly eventId: string } | null;
  readonly detail: string;
}

export interface CheckpointFinding {
  readonly events: number;
  readonly position: string;
  readonly sealedAt: string;
  readonly problem: 'chain-mismatch' | 'bad-signature' | 'unknown-key' | 'beyond-log';
  readonly detail: string;
}

export interface LogVerification {
  /** Nothing altered, inserted, removed or reordered, as far as the hashes and checkpoints reach. */
  readonly clean: boolean;
  readonly events: number;
  readonly streams: number;
  /** Events the sealer had chained when the verification began; the rest are checked per stream only. */
  readonly sealedEvents: number;
  readonly unsealedEvents: number;
  readonly checkpoints: {
    readonly total: number;
    readonly verified: number;
    /** The latest one: keep it outside the database, it is what proves the log's tail later. */
    readonly last: { readonly events: number; readonly position: string; readonly chainHash: string; readonly sealedAt: string; readonly signature: string } | null;
  };
  /** Per stream, its first finding (at most `maxFindings` streams). */
  readonly streamFindings: StreamFinding[];
  readonly streamsWithFindings: number;
  readonly chain: ChainDivergence | null;
  readonly checkpointFindings: CheckpointFinding[];
  /** More findings than listed (stream or checkpoint findings past `maxFindings`). */
  readonly truncated: boolean;
  readonly head: string | null;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface LogVerifierOptions {
  /** Events read per page. */
  readonly pageSize?: number;
  /** Findings listed at most (of streams; of checkpoints); the counts go on. */
  readonly maxFindings?: number;
}

export interface VerifyProgress {
  readonly events: number;
  /** Events sealed when the verification began: the known part of the total. */
  readonly sealedEvents: number;
}

interface StreamState {
  next: number;
  hash: Buffer;
  first: Omit<StreamFinding, 'further'> | null;
  further: number;
}

/**
 * Scans the whole log in order, through the EventStore port (either store), against the seal the
 * log sealer recorded in PostgreSQL: recomputes each event's hash from its stored form, checks
 * each stream's chain (revisions dense from 0, previous-hash links), recomputes the global chain
 * and checks it against the sealer's record and every checkpoint's chain value and signature.
 * Personal data stays encrypted throughout: an erased person's events verify as they were stored.
 * Only reads: verifications may overlap each other and the sealer.
 *
 * `signingKey` is the one seam for the key, as for the sealer.
 */
export class LogVerifier {
  private readonly pageSize: number;
  private readonly maxFindings: number;

  constructor(
    private readonly store: EventStore,
    private readonly pool: pg.Pool,
    private readonly signingKey: Buffer,
    options: LogVerifierOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 2_000;
    this.maxFindings = options.maxFindings ?? 1_000;
  }

  async verify(onProgress?: (progress: VerifyProgress) => void): Promise<LogVerification> {
    const started = performance.now();
    const seal = new LogSealStore(this.pool);
    try {
      // The seal first, then the head: every sealed event is at or before that head.
      const sealedEvents = (await seal.lastLink())?.events ?? 0;
      const checkpoints = await seal.checkpoints(sealedEvents);
      const head = await this.store.headPosition();
      return await this.scan(seal, sealedEvents, checkpoints, head, started, onProgress);
    } finally {
      await seal.close();
    }
  }

  private async scan(
    seal: LogSealStore,
    sealedEvents: number,
    checkpoints: readonly LogCheckpoint[],
    head: Position | null,
    started: number,
    onProgress: ((progress: VerifyProgress) => void) | undefined,
  ): Promise<LogVerification> {
    const streams = new Map<string, StreamState>();
    const checkpointAt = new Map(checkpoints.map((checkpoint) => [checkpoint.events, checkpoint]));
    const checkpointFindings: CheckpointFinding[] = [];
    let checkpointProblems = 0;
    let verifiedCheckpoints = 0;
    const keyId = signingKeyId(this.signingKey);
    const links = new LinkReader(seal, sealedEvents, this.pageSize);
    let divergence: ChainDivergence | null = null;
    let chain = CHAIN_START;
    let events = 0;
    let last: LogEntry | undefined;

    const reportCheckpoint = (checkpoint: LogCheckpoint, problem: CheckpointFinding['problem'], detail: string) => {
      checkpointProblems++;
      if (checkpointFindings.length < this.maxFindings) {
        checkpointFindings.push({ events: checkpoint.events, position: serializePosition(checkpoint.position), sealedAt: checkpoint.sealedAt.toISOString(), problem, detail });
      }
    };

    const read = (from: Position): Promise<LogEntryPage> => this.store.readLogEntries({ from, limit: this.pageSize });
    let pending: Promise<LogEntryPage> | null = head === null ? null : read(START);
    while (pending) {
      const page = await pending;
      // The next page is read while this one is checked.
      pending = page.entries.length > 0 && head !== null && comparePositions(page.next, head) < 0 ? read(page.next) : null;
      for (const entry of page.entries) {
        if (head !== null && comparePositions(entry.position, head) > 0) break;
        events++;
        last = entry;
        const recomputed = eventHash({ ...entry, eventId: entry.id, previousHash: entry.previousHash ?? GENESIS_HASH });
        this.checkStream(streams, entry, recomputed);
        const hash = entry.hash ?? recomputed;
        chain = chainHash(chain, hash);

        if (divergence === null && events <= sealedEvents) divergence = compareWithSeal(await links.next(), entry, hash, chain, events);

        const checkpoint = checkpointAt.get(events);
        if (checkpoint) {
          if (!checkpoint.keyId.equals(keyId)) {
            reportCheckpoint(checkpoint, 'unknown-key', `signed with another key (key id ${checkpoint.keyId.toString('hex')}; this key's is ${keyId.toString('hex')})`);
          } else if (!checkpointSignatureValid(this.signingKey, toClaim(checkpoint), checkpoint.signature)) {
            reportCheckpoint(checkpoint, 'bad-signature', 'its signature does not match what it states: the checkpoint was altered or forged');
          } else if (!checkpoint.chainHash.equals(chain) || comparePositions(checkpoint.position, entry.position) !== 0) {
            reportCheckpoint(
              checkpoint,
              'chain-mismatch',
              `signed for ${checkpoint.events} events ending at ${serializePosition(checkpoint.position)}; the log's first ${events} events end at ` +
                `${serializePosition(entry.position)} and chain to another value: an event up to here was altered, removed, inserted or moved`,
            );
          } else {
            verifiedCheckpoints++;
          }
        }
      }
      onProgress?.({ events, sealedEvents });
    }

    const beyond = divergence === null && events < sealedEvents ? await links.next() : null;
    if (beyond) {
      divergence = {
        events: events + 1,
        problem: 'removed',
        sealed: describeLink(beyond),
        found: null,
        detail: `the log ends after ${events} events; ${sealedEvents} were sealed: the sealed events from ${beyond.streamId}@${beyond.revision} on are gone`,
      };
    }
    for (const checkpoint of checkpoints) {
      if (checkpoint.events > events) reportCheckpoint(checkpoint, 'beyond-log', `signed for ${checkpoint.events} events; the log holds ${events}`);
    }

    const findings = [...streams.entries()].filter(([, state]) => state.first !== null);
    const streamFindings = findings.slice(0, this.maxFindings).map(([, state]) => ({ ...(state.first as Omit<StreamFinding, 'further'>), further: state.further }));
    const seconds = (performance.now() - started) / 1000;
    const latest = checkpoints.at(-1);
    return {
      clean: findings.length === 0 && divergence === null && checkpointProblems === 0,
      events,
      streams: streams.size,
      sealedEvents: Math.min(sealedEvents, events),
      unsealedEvents: Math.max(0, events - sealedEvents),
      checkpoints: {
        total: checkpoints.length,
        verified: verifiedCheckpoints,
        last: latest
          ? {
              events: latest.events,
              position: serializePosition(latest.position),
              chainHash: latest.chainHash.toString('hex'),
              sealedAt: latest.sealedAt.toISOString(),
              signature: latest.signature.toString('hex'),
            }
          : null,
      },
      streamFindings,
      streamsWithFindings: findings.length,
      chain: divergence,
      checkpointFindings,
      truncated: findings.length > this.maxFindings || checkpointProblems > this.maxFindings,
      head: last ? serializePosition(last.position) : null,
      seconds,
      eventsPerSecond: seconds > 0 ? events / seconds : 0,
    };
  }

  /** Records the stream's first finding (and counts the rest) and moves its chain on. */
  private checkStream(streams: Map<string, StreamState>, entry: LogEntry, recomputed: Buffer): void {
    let state = streams.get(entry.streamId);
    if (!state) {
      state = { next: 0, hash: GENESIS_HASH, first: null, further: 0 };
      streams.set(entry.streamId, state);
    }
    const found = (problem: StreamProblem, detail: string, revision = entry.revision) => {
      if (state.first === null) {
        state.first = { streamId: entry.streamId, revision, position: serializePosition(entry.position), eventId: entry.id, problem, detail };
      } else {
        state.further++;
      }
    };
    if (entry.hash === null) found('unhashed', 'the event carries no hash');
    else if (!recomputed.equals(entry.hash)) found('altered', 'its stored data, metadata, type, id or place no longer hash to the hash recorded with it');
    if (entry.revision > state.next) {
      const missing = entry.revision - state.next;
      found('deleted', `revision${missing === 1 ? '' : 's'} ${state.next}${missing === 1 ? '' : `-${entry.revision - 1}`} missing before revision ${entry.revision}`, state.next);
    } else if (entry.revision < state.next) {
      found('inserted', `revision ${entry.revision} again, after revision ${state.next - 1}`);
    } else if (entry.previousHash !== null && !entry.previousHash.equals(state.hash)) {
      found('broken-link', `its previous hash is not the hash of ${entry.revision === 0 ? 'the stream start' : `revision ${entry.revision - 1}`}: that event was rewritten, hash and all, or this one replaced`);
    }
    state.next = Math.max(state.next, entry.revision + 1);
    state.hash = entry.hash ?? GENESIS_HASH;
  }
}

/** The sealed chain in order, page by page, the next page read ahead. */
class LinkReader {
  private buffer: SealedLink[] = [];
  private index = 0;
  private after = 0;
  private pending: Promise<SealedLink[]> | null = null;

  constructor(
    private readonly seal: LogSealStore,
    private readonly upTo: number,
    private readonly pageSize: number,
  ) {}

  /** `null` past the end (only when rows of the record itself were removed). */
  async next(): Promise<SealedLink | null> {
    if (this.index >= this.buffer.length) {
      this.buffer = await (this.pending ?? this.read());
      this.index = 0;
      if (this.buffer.length === 0) return null;
      this.after = this.buffer[this.buffer.length - 1].events;
      this.pending = this.after < this.upTo ? this.read() : null;
    }
    return this.buffer[this.index++];
  }

  private read(): Promise<SealedLink[]> {
    return this.seal.links(this.after, this.upTo, this.pageSize);
  }
}

function compareWithSeal(link: SealedLink | null, entry: LogEntry, hash: Buffer, chain: Buffer, events: number): ChainDivergence | null {
  const found = { position: serializePosition(entry.position), streamId: entry.streamId, revision: entry.revision, eventId: entry.id };
  const place = `event ${events} of the log`;
  if (link === null || link.events !== events) {
    const sealed = link ? describeLink(link) : { position: '', streamId: '', revision: -1 };
    return { events, problem: 'chain-record-altered', sealed, found, detail: `the seal's record has no entry for ${place}: rows of it were removed` };
  }
  const order = comparePositions(entry.position, link.position);
  const sealed = describeLink(link);
  if (order > 0) {
    return { events, problem: 'removed', sealed, found, detail: `${place} was sealed as ${link.streamId}@${link.revision} at ${sealed.position}; nothing is there now (removed or moved)` };
  }
  if (order < 0) {
    return { events, problem: 'inserted', sealed, found, detail: `${place} is ${entry.streamId}@${entry.revision} at ${found.position}, which was not sealed (inserted or moved there)` };
  }
  if (!link.eventHash.equals(hash) || link.streamId !== entry.streamId || link.revision !== entry.revision) {
    return { events, problem: 'altered', sealed, found, detail: `${place}, at ${found.position}, is not the event sealed there: it was rewritten, hash and all` };
  }
  if (!link.chainHash.equals(chain)) {
    return { events, problem: 'chain-record-altered', sealed, found, detail: `the sealed chain value after ${place} is not the one its events give: the seal's record was altered` };
  }
  return null;
}

function describeLink(link: SealedLink): ChainDivergence['sealed'] {
  return { position: serializePosition(link.position), streamId: link.streamId, revision: link.revision };
}

function toClaim(checkpoint: LogCheckpoint) {
  return { events: checkpoint.events, position: serializePosition(checkpoint.position), chain: checkpoint.chainHash, sealedAt: checkpoint.sealedAt };
}
