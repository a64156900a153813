import { setTimeout as delay } from 'node:timers/promises';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { EventStore } from '#event-store';
import { borrowedPool } from '#postgres';
import type { Projection } from './projection.js';
import { compareBuilds } from './projection-builds.js';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner.js';
import type { ProjectionsTables } from './projections.migrations.js';

export interface ProjectionSupervisorOptions extends Omit<ProjectionRunnerOptions, 'build'> {
  /** How often the builds to run are looked up (a rebuild requested from the CLI starts within this). */
  readonly pollMs?: number;
}

/**
 * Runs, for each projection, every build of its version that exists: build 0 at first, and any
 * newer build an operator requested (`cli rebuild <name>`) next to the one serving until it takes
 * over. A replaced build's runner stops by itself and is forgotten; a failed one waits at its event
 * until an operator skips it (`cli projections skip`) or the process restarts.
 */
export class ProjectionSupervisor {
  private readonly db: Kysely<ProjectionsTables>;
  private readonly runners = new Map<string, ProjectionRunner>();
  /** Replaced builds' runners still stopping: stop() waits for them too, before the pool closes. */
  private readonly retiring = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  /** Projections whose code is older than the version serving: reported once, never run. */
  private readonly outdated = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly pool: pg.Pool,
    readonly projections: readonly Projection[],
    private readonly options: ProjectionSupervisorOptions = {},
  ) {
    this.db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await Promise.all([...[...this.runners.values()].map((runner) => runner.stop()), ...this.retiring]);
    await this.db.destroy();
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await this.reconcile();
      } catch (error) {
        // The database is away: the runners retry on their own; look again later.
        this.options.logError?.('projection builds could not be looked up', error);
      }
      // Node's abortable timer removes its abort listener with the wait (a supervisor waits every second for days).
      await delay(this.options.pollMs ?? 1_000, undefined, { signal }).catch(() => undefined);
    }
  }

  private async reconcile(): Promise<void> {
    const names = this.projections.map((projection) => projection.name);
    const [builds, serving] = await Promise.all([
      this.db.selectFrom('projections.checkpoints').select(['name', 'version', 'build']).where('name', 'in', names).execute(),
      this.db.selectFrom('projections.active_versions').select(['name', 'version', 'build']).where('name', 'in', names).execute(),
    ]);
    for (const projection of this.projections) {
      const active = serving.find((row) => row.name === projection.name);
      if (active !== undefined && active.version > projection.version) {
        if (!this.outdated.has(projection.name)) this.options.log?.(`${projection.name}: v${active.version} serves, newer than this code's v${projection.version}; not run here`);
        this.outdated.add(projection.name);
        continue;
      }
      const wanted = builds.filter((row) => row.name === projection.name && row.version === projection.version).map((row) => row.build);
      // A build older than the one serving is a leftover of a takeover: it stops by itself.
      const current = wanted.filter((build) => active === undefined || compareBuilds({ version: projection.version, build }, active) >= 0);
      for (const build of current.length > 0 ? current : [0]) this.ensureRunning(projection, build);
    }
    for (const [key, runner] of this.runners) {
      if (!runner.superseded) continue;
      this.runners.delete(key);
      const stopped: Promise<void> = runner.stop().finally(() => this.retiring.delete(stopped));
      this.retiring.add(stopped);
    }
  }

  private ensureRunning(projection: Projection, build: number): void {
    const key = `${projection.name}@${build}`;
    if (this.runners.has(key)) return;
    const runner = new ProjectionRunner(this.store, this.pool, projection, { ...this.options, build });
    this.runners.set(key, runner);
    runner.start();
  }
}
