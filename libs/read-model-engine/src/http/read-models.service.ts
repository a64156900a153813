import { Inject, Injectable } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { comparePositions, parsePosition, type Position } from '#event-store';
import { PROBLEM_TYPES, ProblemException } from '#http';
import { activeSchema } from '../projection-tables.js';
import { ReadConsistency } from '../read-consistency.js';
import { type ProjectionsTables } from '../projections.migrations.js';
import type { ConsistencyQueryDto } from './consistency.dto.js';
import { READ_MODELS_DB } from './read-models.tokens.js';

/** The read-your-writes request header (also accepted as the `consistentWith` query parameter). */
export const CONSISTENT_WITH = 'x-consistent-with';

export const ConsistencyHeader = () =>
  ApiHeader({
    name: 'X-Consistent-With',
    required: false,
    description: 'A log position a command answered: wait until the read models this route reads have reached it (else 503)',
  });

/**
 * Where query routes read a projection: the schema of its active build, once it has applied the
 * position the client asked for (read-your-writes), else 503.
 */
@Injectable()
export class ReadModels {
  constructor(
    @Inject(READ_MODELS_DB) readonly db: Kysely<ProjectionsTables>,
    private readonly readConsistency: ReadConsistency,
  ) {}

  /** The schema to read each of `names` from, in order, once all have reached the requested position. */
  async schemas(names: readonly string[], query: ConsistencyQueryDto, header: string | undefined): Promise<string[]> {
    const position = requestedPosition(header, query.consistentWith);
    if (position !== undefined) await this.readConsistency.waitFor(names, position);
    return Promise.all(
      names.map(async (name) => {
        const schema = await activeSchema(this.db, name);
        // No build has served yet: the projector has not started on a fresh database.
        if (schema === null) throw notBuilt(name);
        return schema;
      }),
    );
  }

  async schema(name: string, query: ConsistencyQueryDto, header: string | undefined): Promise<string> {
    const [schema] = await this.schemas([name], query, header);
    return schema;
  }

  /**
   * The schema of a log subscriber a route reads beside its read model (a job scheduler's own
   * tables), as it stands: never waited for, since a scheduler held up by Redis must not hold up
   * the read model's queries; null while none has been built (no worker has run yet).
   */
  alongside(name: string): Promise<string | null> {
    return activeSchema(this.db, name);
  }
}

/** The later of the header and the query parameter, when given (a malformed one is a 400). */
function requestedPosition(header: string | undefined, parameter: string | undefined): Position | undefined {
  const positions = [header, parameter].filter((value) => value !== undefined && value !== '').map((value) => parsePosition(value as string));
  return positions.reduce<Position | undefined>((later, position) => (later === undefined || comparePositions(position, later) > 0 ? position : later), undefined);
}

function notBuilt(projection: string): ProblemException {
  return new ProblemException(
    { type: PROBLEM_TYPES.serviceUnavailable, title: 'Read model not built yet', status: 503, detail: `the ${projection} read model has not been built yet; retry shortly` },
    { headers: { 'Retry-After': '5' } },
  );
}
