import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { batched, parsePosition, serializePosition, type EventStore, type Position, type RecordedEvent } from '#event-store';
import { borrowedPool } from '#postgres';
import { projectionSchema, type Projection } from './projection.js';
import { buildLabel, compareBuilds, type BuildId } from './projection-builds.js';
import { ProjectionHandlerError, applyEvents, dropProjectionTables, prepareProjectionTables } from './projection-tables.js';
import { PROJECTIONS_ADVANCED, type ProjectionsTables } from './projections.migrations.js';
import { skipCommand, skippedEvents, type SkippedEvent } from './skipped-events.js';

export interface ProjectionRunnerOptions {
  /** Which build of the projection's version this runner builds and follows (0: the first; a rebuild's is higher). */
  readonly build?: number;
  /** Events per transaction. */
  readonly batchSize?: number;
  /** How often a process that does not own the projection asks again. */
  readonly standbyRetryMs?: number;
  /** The first wait after a handler's RetryLaterError; each further one doubles, up to `maxRetryLaterMs`. */
  readonly retryLaterMs?: number;
  readonly maxRetryLaterMs?: number;
  /** Stopped at an event: the first wait before looking for a skip of it; each further one doubles, up to `maxSkipPollMs`. */
  readonly skipPollMs?: number;
  readonly maxSkipPollMs?: number;
  readonly log?: (message: string) => void;
  readonly logError?: (message: string, error: unknown) => void;
}

/** Another process moved the checkpoint: it owns the projection now; this one stands down. */
class LostOwnershipError extends Error {}

// Advisory-lock namespace of projection ownership ("proj").
const OWNERSHIP_LOCK_SPACE = 0x70726f6a;

/**
 * Runs one projection in this process: migrates its tables, waits until it owns the projection (a
 * session advisory lock: one owner across all projector processes, taken over when the owner dies),
 * then follows the log from its checkpoint. Each batch of events and the checkpoint after it are
 * written in one transaction, and the checkpoint only moves from the value this owner read, so a
 * crash anywhere neither loses nor doubles an event, even if two processes ever overlap. A handler
 * failing on an event stops it there (recorded in the checkpoint) until an operator records a skip
 * of that event (`skipFailedEvent`): it then resumes past it without a restart.
 */
export class ProjectionRunner {
  private readonly db: Kysely<ProjectionsTables>;
  readonly build: number;
  private readonly batchSize: number;
  private readonly standbyRetryMs: number;
  private readonly retryLaterMs: number;
  private readonly maxRetryLaterMs: number;
  /** While the handler asks to retry later: the next wait; null while running normally. */
  private retryDelayMs: number | null = null;
  private readonly skipPollMs: number;
  private readonly maxSkipPollMs: number;
  /** The events an operator let this version pass, by position: not applied, the checkpoint moves past them. */
  private skipped = new Map<string, SkippedEvent>();
  private readonly log: (message: string) => void;
  private readonly logError: (message: string, error: unknown) => void;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  /** Whether queries read this build; a newer build takes over once it has caught up. */
  private active = false;
  /** Set once a newer build serves: this one's tables are gone and it stopped for good. */
  private supersededBy: BuildId | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly pool: pg.Pool,
    readonly projection: Projection,
    options: ProjectionRunnerOptions = {},
  ) {
    this.db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
    this.build = options.build ?? 0;
    this.batchSize = options.batchSize ?? 500;
    this.standbyRetryMs = options.standbyRetryMs ?? 1_000;
    this.retryLaterMs = options.retryLaterMs ?? 500;
    this.maxRetryLaterMs = options.maxRetryLaterMs ?? 30_000;
    this.skipPollMs = options.skipPollMs ?? 250;
    this.maxSkipPollMs = options.maxSkipPollMs ?? 2_000;
    this.log = options.log ?? (() => undefined);
    this.logError = options.logError ?? (() => undefined);
  }

  private get label(): string {
    return buildLabel(this.projection.name, this.id);
  }

  private get id(): BuildId {
    return { version: this.projection.version, build: this.build };
  }

  /** Whether this runner stopped for good because a newer build of the projection serves queries. */
  get superseded(): boolean {
    return this.supersededBy !== null;
  }

  start(): void {
    this.running ??= this.run().catch((error: unknown) => this.logError(`${this.label}: stopped unexpectedly`, error));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.db.destroy();
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    let prepared = false;
    while (!signal.aborted) {
      let owner: pg.PoolClient | undefined;
      let owned = false;
      let pause = this.standbyRetryMs;
      try {
        if (await this.stoodDown()) return;
        if (!prepared) prepared = await this.prepare();
        owner = await this.pool.connect();
        owned = await this.tryOwn(owner);
        if (owned) {
          this.log(`${this.label}: owned by this process, following the log`);
          await this.follow(signal);
        }
      } catch (error) {
        if (error instanceof ProjectionHandlerError && error.retryLater) {
          pause = await this.waitToRetry(error);
        } else if (error instanceof ProjectionHandlerError) {
          if (!(await this.stoppedAt(error, signal))) return;
          pause = 0;
        }
        // The database or the log went away, or another process took over: start over from the checkpoint.
        else if (!(error instanceof LostOwnershipError)) this.logError(`${this.label}: interrupted, resuming from the checkpoint`, error);
      } finally {
        if (owned) await owner?.query('select pg_advisory_unlock($1, hashtext($2))', [OWNERSHIP_LOCK_SPACE, this.lockKey]).catch(() => undefined);
        owner?.release();
      }
      if (!signal.aborted) await sleep(pause, signal);
    }
  }

  /**
   * The handler asked to apply its batch again later: shown as `waiting` (with the reason) and
   * logged once per outage, not once per attempt; the wait before the next attempt doubles each time.
   */
  private async waitToRetry(error: ProjectionHandlerError): Promise<number> {
    const delay = this.retryDelayMs ?? this.retryLaterMs;
    if (this.retryDelayMs === null) {
      this.logError(`${this.label}: waiting (${messageOf(error.cause)}); retrying from the checkpoint with backoff until it goes through`, error.cause);
      await this.checkpointRow()
        .set({ status: 'waiting', error: messageOf(error.cause), updated_at: new Date() })
        .execute()
        .catch(() => undefined);
    }
    this.retryDelayMs = Math.min(delay * 2, this.maxRetryLaterMs);
    return delay;
  }

  /**
   * The handler failed on an event (recorded as the checkpoint's failure): waits, still owning the
   * projection (a standby process would only stop at the same event), until an operator skips the
   * event; true to resume then, false when the runner stops for good.
   */
  private async stoppedAt(error: ProjectionHandlerError, signal: AbortSignal): Promise<boolean> {
    // A newer build took over while this one idled: its tables went, hence the failure.
    if (await this.stoodDown().catch(() => false)) return false;
    // Always one event by now: applyBatch narrows a failing batch down to it.
    if (error.event === undefined) {
      this.logError(`${this.label}: failed at ${error.message}; stopped until restarted`, error.cause);
      return false;
    }
    const position = serializePosition(error.event.position);
    const skip = skipCommand(this.projection.name, position, this.id, await this.serving().catch(() => null));
    this.logError(`${this.label}: failed at ${error.message}; stopped at that event until restarted, or until it is skipped: ${skip}`, error.cause);
    if (!(await this.waitForSkip(position, signal))) return false;
    this.log(`${this.label}: a skip of the event at ${position} was recorded; resuming past it`);
    return true;
  }

  /**
   * Stopped at the event at `position`: looks for a skip of it (recorded by `cli projections skip`,
   * for this build or another of the version), more rarely the longer it waits. False when the
   * runner stops or a newer build serves meanwhile.
   */
  private async waitForSkip(position: string, signal: AbortSignal): Promise<boolean> {
    for (let delay = this.skipPollMs; !signal.aborted; delay = Math.min(delay * 2, this.maxSkipPollMs)) {
      await sleep(delay, signal);
      if (signal.aborted) return false;
      try {
        if (await this.stoodDown()) return false;
        if (await this.skipRecorded(position)) return true;
      } catch (error) {
        // The database is away: look again later.
        this.logError(`${this.label}: could not look for a skip of the event at ${position}`, error);
      }
    }
    return false;
  }

  /** Reads this version's skips anew: whether the event at `position` is one of them. */
  private async skipRecorded(position: string): Promise<boolean> {
    await this.loadSkips();
    return this.skipped.has(position);
  }

  private async loadSkips(): Promise<void> {
    this.skipped = new Map((await skippedEvents(this.db, this.projection.name, this.projection.version)).map((skip) => [skip.position, skip]));
  }

  private async serving(): Promise<BuildId | null> {
    return (await this.db.selectFrom('projections.active_versions').select(['version', 'build']).where('name', '=', this.projection.name).executeTakeFirst()) ?? null;
  }

  private checkpointRow() {
    return this.db
      .updateTable('projections.checkpoints')
      .where('name', '=', this.projection.name)
      .where('version', '=', this.projection.version)
      .where('build', '=', this.build);
  }

  /**
   * Whether a newer build (or version) serves queries: then this build's tables were dropped when it
   * took over, and this runner stops for good (dropping them again, should a late start have
   * recreated them).
   */
  private async stoodDown(): Promise<boolean> {
    const serving = await this.db
      .selectFrom('projections.active_versions')
      .select(['version', 'build'])
      .where('name', '=', this.projection.name)
      .executeTakeFirst();
    if (serving === undefined || compareBuilds(serving, this.id) <= 0) return false;
    this.supersededBy = serving;
    await dropProjectionTables(this.pool, this.projection.name, this.id);
    this.log(`${this.label}: ${buildLabel(this.projection.name, serving)} serves queries now; this build stopped`);
    return true;
  }

  /** Tables, checkpoint row and (for a first build) the active build; idempotent. */
  private async prepare(): Promise<true> {
    await prepareProjectionTables(this.pool, this.projection, this.build);
    await this.db
      .insertInto('projections.checkpoints')
      .values({ name: this.projection.name, version: this.projection.version, build: this.build })
      .onConflict((conflict) => conflict.columns(['name', 'version', 'build']).doNothing())
      .execute();
    // The first build of a projection serves at once; a later one takes over when it catches up.
    await this.db
      .insertInto('projections.active_versions')
      .values({ name: this.projection.name, version: this.projection.version, build: this.build })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const serving = await this.db
      .selectFrom('projections.active_versions')
      .select(['version', 'build'])
      .where('name', '=', this.projection.name)
      .executeTakeFirstOrThrow();
    this.active = compareBuilds(serving, this.id) === 0;
    if (!this.active) this.log(`${this.label}: building from the start of the log while ${buildLabel(this.projection.name, serving)} serves`);
    return true;
  }

  /** Once a newer build has caught up with the log, queries switch to it and the old tables go. */
  private async takeOverWhenCaughtUp(checkpoint: Position): Promise<void> {
    if (this.active || (await this.store.readAll({ from: checkpoint, limit: 1 })).events.length > 0) return;
    const replaced = await this.db.transaction().execute(async (trx) => {
      const previous = await trx
        .selectFrom('projections.active_versions')
        .select(['version', 'build'])
        .where('name', '=', this.projection.name)
        .forUpdate()
        .executeTakeFirstOrThrow();
      await trx.updateTable('projections.active_versions').set(this.id).where('name', '=', this.projection.name).execute();
      await trx
        .deleteFrom('projections.checkpoints')
        .where('name', '=', this.projection.name)
        .where('version', '=', previous.version)
        .where('build', '=', previous.build)
        .execute();
      return previous;
    });
    this.active = true;
    await dropProjectionTables(this.pool, this.projection.name, replaced);
    this.log(`${this.label}: caught up; now serving queries, ${buildLabel(this.projection.name, replaced)} dropped`);
  }

  private get lockKey(): string {
    return `${this.projection.name}@${this.projection.version}.${this.build}`;
  }

  private async tryOwn(owner: pg.PoolClient): Promise<boolean> {
    const { rows } = await owner.query<{ owned: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as owned', [
      OWNERSHIP_LOCK_SPACE,
      this.lockKey,
    ]);
    return rows[0].owned;
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let checkpoint = await this.checkpoint();
    await this.loadSkips();
    // While waiting to retry, the state stays `waiting` until a batch goes through (see commit).
    if (this.retryDelayMs === null) {
      await this.checkpointRow()
        .set({
          status: 'running',
          error: null,
          failed_event_id: null,
          failed_event_type: null,
          failed_stream_id: null,
          failed_position: null,
          failed_at: null,
        })
        .execute();
    }
    await this.takeOverWhenCaughtUp(checkpoint);
    // Ended when a batch throws: leaving the loop waits for the subscription to close, which would
    // otherwise wait for the next event in the log (batching reads one ahead) before a retry or stop.
    const leaving = new AbortController();
    const subscription = this.store.subscribeToAll({ from: checkpoint, signal: AbortSignal.any([signal, leaving.signal]) });
    for await (const batch of batched(subscription, this.batchSize)) {
      try {
        checkpoint = await this.applyBatch(checkpoint, batch);
        // Outside the transaction: read-your-writes waiters and live views look again.
        await sql`select pg_notify(${PROJECTIONS_ADVANCED}, ${this.projection.name})`.execute(this.db);
        await this.takeOverWhenCaughtUp(checkpoint);
      } catch (error) {
        leaving.abort();
        throw error;
      }
    }
  }

  private async checkpoint(): Promise<Position> {
    const row = await this.db
      .selectFrom('projections.checkpoints')
      .select('position')
      .where('name', '=', this.projection.name)
      .where('version', '=', this.projection.version)
      .where('build', '=', this.build)
      .executeTakeFirstOrThrow();
    return parsePosition(row.position);
  }

  /**
   * One transaction for the batch. When the projection throws on it, the events are applied again
   * one per transaction: those before the failing one are committed, the failure is recorded and
   * the projection stops exactly there.
   */
  private async applyBatch(from: Position, events: readonly RecordedEvent[]): Promise<Position> {
    try {
      return await this.commit(from, events);
    } catch (error) {
      // Not the events' fault (retry later), or not the handler's (the database): no narrowing.
      if (!(error instanceof ProjectionHandlerError) || error.retryLater) throw error;
      if (error.event !== undefined) {
        // Skipped meanwhile (by an operator, seeing another build of the version stopped there): pass it.
        if (await this.skipRecorded(serializePosition(error.event.position))) return await this.commit(from, events);
        await this.recordFailure(error.event, error.cause);
        throw error;
      }
      let checkpoint = from;
      for (const event of events) checkpoint = await this.applyBatch(checkpoint, [event]);
      // Each event applied on its own: the batch's failure did not come from one event (and will not recur).
      this.logError(`${this.label}: ${error.message}; applied one event at a time instead`, error.cause);
      return checkpoint;
    }
  }

  private async commit(from: Position, events: readonly RecordedEvent[]): Promise<Position> {
    const to = events[events.length - 1].position;
    const skipping = events.flatMap((event) => {
      const skip = this.skipped.get(serializePosition(event.position));
      return skip === undefined ? [] : [{ event, skip }];
    });
    const applying = skipping.length === 0 ? events : events.filter((event) => !skipping.some((skipped) => skipped.event === event));
    await this.db.transaction().execute(async (trx) => {
      await applyEvents<unknown, ProjectionsTables>(trx, this.projection, applying, projectionSchema(this.projection.name, this.projection.version, this.build));
      const moved = await trx
        .updateTable('projections.checkpoints')
        .set((eb) => ({
          position: serializePosition(to),
          events_applied: eb('events_applied', '+', applying.length),
          updated_at: new Date(),
          // A batch went through: no longer waiting, if it was.
          status: 'running',
          error: null,
        }))
        .where('name', '=', this.projection.name)
        .where('version', '=', this.projection.version)
        .where('build', '=', this.build)
        .where('position', '=', serializePosition(from))
        .executeTakeFirst();
      if (moved.numUpdatedRows !== 1n) throw new LostOwnershipError(`${this.label}: the checkpoint moved under this process`);
    });
    for (const { event, skip } of skipping) {
      this.log(`${this.label}: passed event ${event.id} (${event.type}) at ${skip.position} without applying it, as skipped ${skip.skippedAt}: ${skip.reason}`);
    }
    if (this.retryDelayMs !== null) {
      this.retryDelayMs = null;
      this.log(`${this.label}: the retried batch went through; following the log again`);
    }
    return to;
  }

  private async recordFailure(event: RecordedEvent, error: unknown): Promise<void> {
    await this.checkpointRow()
      .set({
        status: 'failed',
        error: messageOf(error),
        failed_event_id: event.id,
        failed_event_type: event.type,
        failed_stream_id: event.streamId,
        failed_position: serializePosition(event.position),
        failed_at: new Date(),
      })
      .execute();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
