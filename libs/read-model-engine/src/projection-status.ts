import { sql, type Kysely } from 'kysely';
import { parsePosition, type EventStore } from '#event-store';
import type { ProjectionsTables } from './projections.migrations.js';
import { skipCommand, toSkippedEvent, type SkippedEvent } from './skipped-events.js';

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** 0 for a version's first build; a rebuild of the same version counts up. */
  readonly build: number;
  /** Whether queries read this build. */
  readonly active: boolean;
  /** `waiting`: the handler asked to retry later (a dependency is away); `waitingFor` says why. */
  readonly state: 'running' | 'waiting' | 'failed';
  readonly checkpoint: string;
  readonly eventsApplied: number;
  readonly lag: {
    /** Events in the log after the checkpoint, counted up to {@link LAG_COUNT_CAP}. */
    readonly eventsBehind: number;
    readonly eventsBehindCapped: boolean;
    /** Age of the oldest event not yet applied; 0 when caught up. */
    readonly secondsBehind: number;
  };
  readonly waitingFor: { reason: string; since: string } | null;
  /** The event a failed build stopped at, and the command that lets it pass once an operator judges that safe. */
  readonly failure: {
    eventId: string;
    eventType: string;
    /** Null for a failure recorded before failures named their stream. */
    streamId: string | null;
    position: string;
    error: string;
    at: string;
    skipCommand: string;
  } | null;
  /** The events operators let this version pass (every build of it passes them): how many, the latest first. */
  readonly skipped: { count: number; latest: SkippedEvent[] };
  readonly updatedAt: string;
}

/** How many of a version's skips a status lists. */
export const LATEST_SKIPS = 5;

/** Counting lag pages through the log; beyond this many events the exact figure stops mattering. */
export const LAG_COUNT_CAP = 10_000;

/** Each projection version's checkpoint, state and lag behind the head of the log. */
export async function projectionStatuses(db: Kysely<ProjectionsTables>, store: EventStore, now = new Date()): Promise<ProjectionStatus[]> {
  const rows = await db
    .selectFrom('projections.checkpoints as c')
    .leftJoin('projections.active_versions as a', (join) => join.onRef('a.name', '=', 'c.name').onRef('a.version', '=', 'c.version').onRef('a.build', '=', 'c.build'))
    .selectAll('c')
    .select('a.version as active_version')
    .orderBy('c.name')
    .orderBy('c.version')
    .orderBy('c.build')
    .execute();
  const serving = await db.selectFrom('projections.active_versions').select(['name', 'version', 'build']).execute();
  // The latest few skips of each version, each carrying its version's count.
  const skips = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('projections.skipped_events')
        .selectAll()
        .select([
          sql<number>`count(*) over (partition by name, version)`.as('total'),
          sql<number>`row_number() over (partition by name, version order by skipped_at desc, position desc)`.as('rank'),
        ])
        .as('s'),
    )
    .selectAll()
    .where('rank', '<=', LATEST_SKIPS)
    .orderBy('rank')
    .execute();
  return Promise.all(
    rows.map(async (row) => {
      const from = parsePosition(row.position);
      let eventsBehind = 0;
      let oldest: Date | undefined;
      for (let position = from; eventsBehind < LAG_COUNT_CAP; ) {
        const page = await store.readAll({ from: position, limit: 1_000 });
        if (page.events.length === 0) break;
        oldest ??= page.events[0].metadata.recordedAt;
        eventsBehind += page.events.length;
        position = page.next;
      }
      return {
        name: row.name,
        version: row.version,
        build: row.build,
        active: row.active_version !== null,
        state: row.status,
        checkpoint: row.position,
        eventsApplied: row.events_applied,
        lag: {
          eventsBehind: Math.min(eventsBehind, LAG_COUNT_CAP),
          eventsBehindCapped: eventsBehind >= LAG_COUNT_CAP,
          secondsBehind: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
        },
        waitingFor: row.status === 'waiting' ? { reason: row.error ?? '', since: row.updated_at.toISOString() } : null,
        failure:
          row.status === 'failed' && row.failed_event_id
            ? {
                eventId: row.failed_event_id,
                eventType: row.failed_event_type ?? '',
                streamId: row.failed_stream_id,
                position: row.failed_position ?? '',
                error: row.error ?? '',
                at: (row.failed_at ?? row.updated_at).toISOString(),
                skipCommand: skipCommand(row.name, row.failed_position ?? '', row, serving.find((s) => s.name === row.name) ?? null),
              }
            : null,
        skipped: skippedOf(skips, row),
        updatedAt: row.updated_at.toISOString(),
      };
    }),
  );
}

function skippedOf(
  skips: readonly (Parameters<typeof toSkippedEvent>[0] & { total: number })[],
  of: { name: string; version: number },
): ProjectionStatus['skipped'] {
  const latest = skips.filter((skip) => skip.name === of.name && skip.version === of.version);
  return { count: latest[0]?.total ?? 0, latest: latest.map(toSkippedEvent) };
}
