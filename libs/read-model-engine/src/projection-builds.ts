import type { Kysely } from 'kysely';
import type { Projection } from './projection.js';
import type { ProjectionsTables } from './projections.migrations.js';

/** One build of one version of a projection: version 1 build 0 is the first; a rebuild of version 1 is build 1, 2... */
export interface BuildId {
  readonly version: number;
  readonly build: number;
}

/** Newer versions first decide; within a version, later builds. */
export function compareBuilds(a: BuildId, b: BuildId): number {
  return a.version - b.version || a.build - b.build;
}

export function buildLabel(name: string, id: BuildId): string {
  return `${name} v${id.version}${id.build === 0 ? '' : ` build ${id.build}`}`;
}

/**
 * Asks for a new build of `projection`'s version, from the start of the log, in new tables, while
 * the build serving now keeps serving; the projector (or `cli rebuild`) runs it and it takes over
 * once caught up. A build already under way is returned instead of starting another.
 */
export async function requestRebuild(db: Kysely<ProjectionsTables>, projection: Projection): Promise<{ readonly id: BuildId; readonly started: boolean }> {
  return db.transaction().execute(async (trx) => {
    // Locked like a takeover locks it: a build cannot take over between the look and the insert.
    const active = await trx
      .selectFrom('projections.active_versions')
      .select(['version', 'build'])
      .where('name', '=', projection.name)
      .forUpdate()
      .executeTakeFirst();
    if (active !== undefined && active.version > projection.version) {
      throw new Error(`${buildLabel(projection.name, active)} serves, newer than this code's v${projection.version}: rebuild with that code`);
    }
    const builds = (
      await trx.selectFrom('projections.checkpoints').select('build').where('name', '=', projection.name).where('version', '=', projection.version).execute()
    ).map((row) => ({ version: projection.version, build: row.build }));
    const underWay = builds.filter((id) => active === undefined || compareBuilds(id, active) > 0).sort(compareBuilds).at(-1);
    if (underWay !== undefined) return { id: underWay, started: false };
    const id = { version: projection.version, build: builds.length === 0 ? 0 : Math.max(...builds.map((b) => b.build)) + 1 };
    await trx
      .insertInto('projections.checkpoints')
      .values({ name: projection.name, ...id })
      .onConflict((conflict) => conflict.columns(['name', 'version', 'build']).doNothing())
      .execute();
    return { id, started: true };
  });
}
