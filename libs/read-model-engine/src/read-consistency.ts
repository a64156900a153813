import type { Kysely } from 'kysely';
import { comparePositions, parsePosition, type Position } from '#event-store';
import type { ProjectionsTables } from './projections.migrations.js';

/** The projections a query reads did not reach the position asked for in time (HTTP 503 + Retry-After). */
export class ProjectionLagError extends Error {
  constructor(
    readonly projections: readonly string[],
    readonly waitedMs: number,
  ) {
    super(`${projections.join(', ')} did not reach the requested position within ${waitedMs} ms`);
    this.name = 'ProjectionLagError';
  }
}

export interface ReadConsistencyOptions {
  /** How long a query may wait for its projections. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/**
 * Read-your-writes: a command answers the log position it wrote; a query that sends it back waits,
 * briefly, until every projection it reads (their active versions) has applied that position.
 */
export class ReadConsistency {
  private readonly timeoutMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly db: Kysely<ProjectionsTables>,
    options: ReadConsistencyOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.pollMs = options.pollMs ?? 15;
  }

  async waitFor(projections: readonly string[], position: Position): Promise<void> {
    const started = Date.now();
    for (;;) {
      if (await this.reached(projections, position)) return;
      if (Date.now() - started >= this.timeoutMs) throw new ProjectionLagError(projections, this.timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private async reached(projections: readonly string[], position: Position): Promise<boolean> {
    const rows = await this.db
      .selectFrom('projections.active_versions as a')
      .innerJoin('projections.checkpoints as c', (join) => join.onRef('c.name', '=', 'a.name').onRef('c.version', '=', 'a.version').onRef('c.build', '=', 'a.build'))
      .select(['a.name', 'c.position'])
      .where('a.name', 'in', [...projections])
      .execute();
    return (
      rows.length === projections.length && rows.every((row) => comparePositions(parsePosition(row.position), position) >= 0)
    );
  }
}
