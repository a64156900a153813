import type { Kysely, Migration } from 'kysely';
import type { RecordedEvent } from '#event-store';

/**
 * A read model: a name, a version, the tables of that version and how each event changes them.
 *
 * Each version lives in its own PostgreSQL schema (`projectionSchema(name, version)`), so bumping
 * the version builds new tables from the start of the log while the old ones keep serving, and
 * queries switch once the new version has caught up. An operator may also rebuild the current
 * version (`cli rebuild <name>`): a new build of it, in its own schema, replaces the old the same way.
 */
export interface Projection<DB = unknown> {
  /** Kebab-case, e.g. `customer-timeline`. */
  readonly name: string;
  readonly version: number;
  /**
   * Creates this version's tables. Kysely's `db.schema` and query builders given to the
   * migrations are already bound to the version's schema (`withSchema`): name tables unqualified.
   */
  readonly migrations: Record<string, Migration>;
  /**
   * Applies a batch of events, in log order, inside the batch's transaction, ignoring those it has
   * no use for; set-based (a few statements per batch, not one per event) is what makes catch-up
   * fast. `db` is bound to the version's schema. Must be deterministic: a rebuild replays the same
   * log, possibly cut into other batches. Throwing rolls the batch back; the runner then applies
   * the events one at a time and stops the projection at the one that fails (reported; passed only
   * once an operator records a skip of it, with a reason: `cli projections skip`). Throwing a
   * {@link RetryLaterError} instead (a dependency such as Redis is away) also rolls the batch back,
   * but the runner waits and applies it again from the checkpoint.
   */
  apply(db: Kysely<DB>, events: readonly RecordedEvent[]): Promise<void>;
}

/**
 * The schema holding one build of a version of a projection's tables, e.g.
 * `projection_customer_timeline_v1`; a rebuild of the same version (build 1, 2...) gets `_b1`, `_b2`...
 */
export function projectionSchema(name: string, version: number, build = 0): string {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) throw new Error(`projection name ${name} must be kebab-case`);
  return `projection_${name.replaceAll('-', '_')}_v${version}${build === 0 ? '' : `_b${build}`}`;
}

/**
 * Thrown by a handler whose batch failed for a passing reason outside the event (Redis unreachable,
 * say): unlike any other error it does not stop the projection at an event. The runner rolls the
 * batch back, reports the projection as `waiting`, and applies it again from the checkpoint after a
 * backoff, until it succeeds.
 */
export class RetryLaterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}
