import type { Kysely, Selectable } from 'kysely';
import { InvalidPositionError, parsePosition, serializePosition, type EventStore } from '#event-store';
import { buildLabel, type BuildId } from './projection-builds.js';
import type { ProjectionsTables } from './projections.migrations.js';

/** A poison event an operator let a projection version pass without applying it, and why. */
export interface SkippedEvent {
  readonly name: string;
  readonly version: number;
  /** The build that was stopped at the event when the skip was recorded; every build of the version passes it. */
  readonly build: number;
  readonly position: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly streamId: string;
  readonly reason: string;
  /** What the handler failed with. */
  readonly error: string;
  readonly failedAt: string;
  readonly skippedAt: string;
}

export interface SkipRequest {
  readonly name: string;
  /** Where the projection stopped (`failure.position` in its status). */
  readonly position: string;
  /** Why passing the event is safe; kept with the skip. */
  readonly reason: string;
  /** Default: the version serving queries. */
  readonly version?: number;
  /** Default: the build serving queries (build 0 of another version). */
  readonly build?: number;
}

/** The skip asked for is not allowed: the message says why. */
export class SkipRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkipRefusedError';
  }
}

/**
 * Records that the build of a projection stopped at `position` may pass that event without applying
 * it: only the very event it is failed at, with a reason. The projection's runner, waiting at the
 * event, sees the skip within seconds and resumes past it (no restart); rebuilds and verifications
 * of the same version pass the event too. Asking again for a skip already recorded changes nothing.
 */
export async function skipFailedEvent(
  db: Kysely<ProjectionsTables>,
  store: EventStore,
  request: SkipRequest,
): Promise<{ readonly skipped: SkippedEvent; readonly alreadyRecorded: boolean }> {
  const reason = request.reason.trim();
  if (reason === '') throw new SkipRefusedError('a skip needs a reason: why passing the event is safe');
  let position: string;
  try {
    position = serializePosition(parsePosition(request.position));
  } catch (error) {
    if (error instanceof InvalidPositionError) throw new SkipRefusedError(error.message);
    throw error;
  }
  return db.transaction().execute(async (trx) => {
    const serving = await trx.selectFrom('projections.active_versions').select(['version', 'build']).where('name', '=', request.name).executeTakeFirst();
    const version = request.version ?? serving?.version;
    if (version === undefined) throw new SkipRefusedError(`no build of ${request.name} serves queries: name one with --version and --build`);
    const id: BuildId = { version, build: request.build ?? (serving?.version === version ? serving.build : 0) };
    const label = buildLabel(request.name, id);
    // Locked: the runner cannot move on, nor another operator skip, between this look and the insert.
    const checkpoint = await trx
      .selectFrom('projections.checkpoints')
      .selectAll()
      .where('name', '=', request.name)
      .where('version', '=', id.version)
      .where('build', '=', id.build)
      .forUpdate()
      .executeTakeFirst();
    if (checkpoint === undefined) throw new SkipRefusedError(`${label} does not exist (see npm run cli -- projections)`);
    const { failed_position: failedAt, failed_event_id: eventId } = checkpoint;
    if (checkpoint.status !== 'failed' || failedAt === null || eventId === null) {
      throw new SkipRefusedError(`${label} is ${checkpoint.status} (at ${checkpoint.position}), not failed: only the event a projection stopped at can be skipped`);
    }
    if (failedAt !== position) {
      throw new SkipRefusedError(
        `${label} stopped at ${failedAt} (event ${eventId}, ${checkpoint.failed_event_type ?? 'unknown type'}), not at ${position}: only the event a projection stopped at can be skipped`,
      );
    }
    const recorded = await trx
      .selectFrom('projections.skipped_events')
      .selectAll()
      .where('name', '=', request.name)
      .where('version', '=', id.version)
      .where('position', '=', position)
      .executeTakeFirst();
    if (recorded !== undefined) return { skipped: toSkippedEvent(recorded), alreadyRecorded: true };

    // A failure recorded before failures named their stream: the log says.
    const streamId = checkpoint.failed_stream_id ?? (await streamOfFailedEvent(store, checkpoint.position, eventId, label));
    const inserted = await trx
      .insertInto('projections.skipped_events')
      .values({
        name: request.name,
        ...id,
        position,
        event_id: eventId,
        event_type: checkpoint.failed_event_type ?? '',
        stream_id: streamId,
        reason,
        error: checkpoint.error ?? '',
        failed_at: checkpoint.failed_at ?? checkpoint.updated_at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { skipped: toSkippedEvent(inserted), alreadyRecorded: false };
  });
}

/** The event after `checkpoint` is the one the projection stopped at. */
async function streamOfFailedEvent(store: EventStore, checkpoint: string, eventId: string, label: string): Promise<string> {
  const [next] = (await store.readAll({ from: parsePosition(checkpoint), limit: 1 })).events;
  if (next === undefined || next.id !== eventId) throw new SkipRefusedError(`${label}: the log holds no event ${eventId} after its checkpoint ${checkpoint}`);
  return next.streamId;
}

/** The skips of a projection version, oldest first. */
export async function skippedEvents(db: Kysely<ProjectionsTables>, name: string, version: number): Promise<SkippedEvent[]> {
  const rows = await db
    .selectFrom('projections.skipped_events')
    .selectAll()
    .where('name', '=', name)
    .where('version', '=', version)
    .orderBy('skipped_at')
    .orderBy('position')
    .execute();
  return rows.map(toSkippedEvent);
}

export function toSkippedEvent(row: Selectable<ProjectionsTables['projections.skipped_events']>): SkippedEvent {
  return {
    name: row.name,
    version: row.version,
    build: row.build,
    position: row.position,
    eventId: row.event_id,
    eventType: row.event_type,
    streamId: row.stream_id,
    reason: row.reason,
    error: row.error,
    failedAt: row.failed_at.toISOString(),
    skippedAt: row.skipped_at.toISOString(),
  };
}

/**
 * The command an operator runs to let `failed` (stopped at `position`) pass that event: the flags
 * name the build when it is not the one serving.
 */
export function skipCommand(name: string, position: string, failed: BuildId, serving: BuildId | null): string {
  let flags = '';
  if (serving === null || failed.version !== serving.version) flags = ` --version ${failed.version}${failed.build === 0 ? '' : ` --build ${failed.build}`}`;
  else if (failed.build !== serving.build) flags = ` --build ${failed.build}`;
  return `npm run cli -- projections skip ${name} ${position}${flags} --reason "<why passing it is safe>"`;
}
