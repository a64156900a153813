import type { Kysely } from 'kysely';
import { parsePosition, type EventStore } from '#event-store';
import type { ProjectionsTables } from './projections.migrations.js';

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
  readonly failure: { eventId: string; eventType: string; position: string; error: string; at: string } | null;
  readonly updatedAt: string;
}

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
                position: row.failed_position ?? '',
                error: row.error ?? '',
                at: (row.failed_at ?? row.updated_at).toISOString(),
              }
            : null,
        updatedAt: row.updated_at.toISOString(),
      };
    }),
  );
}
