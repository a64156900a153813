import { Writable } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { ApiKeyNameTakenError, ApiKeyService, type ApiKeyRecord } from '#auth';
import { ConfigError, loadConfig, redactPassword, type AppConfig } from '#config';
import { MasterKey, masterKeyringOf, readMasterKey, RotationInProgressError, UnknownMasterKeyError, type MasterKeyring, type RotationResult } from '#keys';
import { borrowedPool, createPool } from '#postgres';
import {
  ProjectionRunner,
  SkipRefusedError,
  buildLabel,
  projectionStatuses,
  requestRebuild,
  skipFailedEvent,
  verifyProjection,
  type ProjectionStatus,
  type ProjectionsTables,
  type SkippedEvent,
} from '#read-model-engine';
import { logSigningKey, openEventStore, openWrappedSecrets, prepareDatabase, rotateToMasterKey } from '#runtime';
import { PROJECTIONS } from '#projections';
import { customerStateAsOf, HISTORY_MAX_LIMIT, LogVerifier, readCustomerHistory } from '#audit';
import { parseArgs, USAGE, UsageError, type CliCommand } from './args.js';

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
  /** `isTTY`: a terminal's (progress bars are shown there). */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/** Runs one command line; returns the exit status (0 done, 1 failed, 2 bad usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const print = (text: string) => io.stdout.write(`${text}\n`);
  const fail = (text: string, status = 1) => {
    io.stderr.write(`error: ${text}\n`);
    return status;
  };

  let command: CliCommand;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return fail(`${error.message}\n\n${USAGE}`, 2);
  }
  if (command.kind === 'help') {
    print(USAGE);
    return 0;
  }

  let config: AppConfig;
  let masterKeys: MasterKeyring;
  // A rotation's new key: the database may hold rows it wrapped already (a run interrupted).
  let newMasterKey: MasterKey | undefined;
  try {
    config = loadConfig(io.env);
    masterKeys = masterKeyringOf(config);
    if (command.kind === 'keys-rotate-master') newMasterKey = new MasterKey(readMasterKey(command.newKey));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(error.message);
  }
  try {
    await prepareDatabase(config, newMasterKey ? masterKeys.alsoReading(newMasterKey) : masterKeys);
  } catch (error) {
    if (error instanceof UnknownMasterKeyError) return fail(error.message);
    return fail(`cannot prepare the database at DATABASE_URL=${redactPassword(config.databaseUrl)}: ${messageOf(error)}`);
  }

  // A verification migrates scratch tables and reads the log beside its snapshot transaction; a
  // rebuild holds its ownership lock on one connection while it reads and writes on others.
  const pool = createPool(config.databaseUrl, { max: 6, applicationName: 'crm-cli' });
  const apiKeys = new ApiKeyService(pool);
  try {
    switch (command.kind) {
      case 'keys-create': {
        const created = await apiKeys.create(command);
        print(`created API key ${created.id} (name ${created.name}, role ${created.role})`);
        print(`key: ${created.key}`);
        print('Store the key now: it is not shown again, only its hash is kept.');
        return 0;
      }
      case 'keys-list':
        print(formatKeys(await apiKeys.list()));
        return 0;
      case 'keys-revoke': {
        const revoked = await apiKeys.revoke(command.id);
        if (!revoked) return fail(`no API key ${command.id} (see keys list)`);
        print(`revoked API key ${revoked.id} (name ${revoked.name}, role ${revoked.role})`);
        return 0;
      }
      case 'keys-rotate-master':
        return await rotateMaster(command, config, pool, newMasterKey ?? masterKeys.current, io, print, fail);
      case 'replay':
      case 'state':
        await audit(command, config, pool, print);
        return 0;
      case 'verify':
        return await verify(command.projection, config, pool, print, fail);
      case 'verify-log':
        return await verifyLog(command.progress, config, pool, io, print);
      case 'rebuild':
        return await rebuild(command, config, pool, print, fail);
      case 'projections':
        print(formatProjections(await projections(config, pool)));
        return 0;
      case 'projections-skip':
        return await skip(command, config, pool, print, fail);
    }
  } catch (error) {
    if (error instanceof ApiKeyNameTakenError) return fail(`${error.message}: revoke it first or choose another name`);
    if (error instanceof SkipRefusedError || error instanceof RotationInProgressError) return fail(error.message);
    return fail(messageOf(error));
  } finally {
    await pool.end();
  }
}

/**
 * Re-wraps every data key and secret by the new master key, with a progress bar on stderr when it
 * is a terminal; SIGINT stops it between two batches. Then says what to configure: until every
 * process holds the new key, those holding only the old one cannot read what was re-wrapped.
 */
async function rotateMaster(
  command: Extract<CliCommand, { kind: 'keys-rotate-master' }>,
  config: AppConfig,
  pool: pg.Pool,
  target: MasterKey,
  io: CliIo,
  print: (text: string) => void,
  fail: (text: string) => number,
): Promise<number> {
  const from = masterKeyringOf(config).ids.filter((id) => id !== target.id);
  const bar =
    io.stderr.isTTY === true
      ? new SingleBar({ stream: progressStream(io.stderr), format: 'rotate-master [{bar}] {value}/{total} keys and secrets, {eta_formatted} left' }, Presets.shades_classic)
      : undefined;
  const interrupt = new AbortController();
  const stop = () => interrupt.abort();
  process.once('SIGINT', stop);
  let result: RotationResult;
  try {
    result = await rotateToMasterKey(config, pool, target, {
      batchSize: command.batchSize,
      signal: interrupt.signal,
      onStart: (total) => bar?.start(total, 0),
      onProgress: (done) => bar?.update(done),
    });
  } finally {
    bar?.stop();
    process.off('SIGINT', stop);
  }
  if (result.interrupted) {
    return fail(`interrupted after re-wrapping ${result.rewrapped} keys and secrets; run the same command again to carry on`);
  }
  const setting =
    command.newKey.kind === 'file' ? `CRM_MASTER_KEY_FILE=${command.newKey.path} (and unset CRM_MASTER_KEY)` : 'CRM_MASTER_KEY=<the new key> (and unset CRM_MASTER_KEY_FILE)';
  print(`re-wrapped ${result.rewrapped} keys and secrets: every one is wrapped by master key ${target.id} now${from.length > 0 ? ` (before: ${from.join(', ')})` : ''}`);
  print('Now configure every process with the new key and restart it:');
  print(`  ${setting}`);
  print('  unset CRM_MASTER_KEY_PREVIOUS and CRM_MASTER_KEY_PREVIOUS_FILE');
  if (from.length > 0) print(`Keep the old master key (${from.join(', ')}) for as long as you keep backups taken before now: their keys are wrapped by it.`);
  return 0;
}

/**
 * The auditor's replay, as GET /audit/customers/:id/events and /state answer it, through the event
 * store the api uses: personal data decrypted with the keys in PostgreSQL, old versions upcast.
 */
async function audit(
  command: Extract<CliCommand, { kind: 'replay' | 'state' }>,
  config: AppConfig,
  pool: pg.Pool,
  print: (text: string) => void,
): Promise<void> {
  const store = openEventStore(config, pool);
  try {
    if (command.kind === 'state') {
      print(JSON.stringify(await customerStateAsOf(store, command.customerId, command.asOf), null, 2));
      return;
    }
    const { customerId, fromRevision, toRevision, until } = command;
    // Page by page, so a long history is printed as it is read rather than held in memory.
    let after: number | undefined;
    do {
      const page = await readCustomerHistory(store, customerId, { fromRevision, toRevision, to: until, after, limit: HISTORY_MAX_LIMIT });
      for (const event of page.events) print(JSON.stringify(event));
      after = page.nextCursor ?? undefined;
    } while (after !== undefined);
  } finally {
    await store.close();
  }
}

/** POST /audit/projections/:name/verify, from the command line; exit 1 when the read model and the log disagree. */
async function verify(name: string, config: AppConfig, pool: pg.Pool, print: (text: string) => void, fail: (text: string) => number): Promise<number> {
  const projection = PROJECTIONS.find((candidate) => candidate.name === name);
  if (!projection) return fail(`no projection ${name}; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  const store = openEventStore(config, pool);
  try {
    const verification = await verifyProjection(pool, store, projection);
    print(JSON.stringify(verification, null, 2));
    return verification.differences.length === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}

/**
 * POST /audit/log/verify, from the command line: the report on stdout, a progress bar on stderr
 * when it is a terminal or when asked; exit 1 when anything was altered, inserted, removed or reordered.
 */
async function verifyLog(progress: boolean, config: AppConfig, pool: pg.Pool, io: CliIo, print: (text: string) => void): Promise<number> {
  const store = openEventStore(config, pool);
  const bar =
    progress || io.stderr.isTTY === true
      ? new SingleBar(
          { stream: progressStream(io.stderr), format: 'verify-log [{bar}] {value}/{total} events, {eta_formatted} left', noTTYOutput: true, notTTYSchedule: 1_000 },
          Presets.shades_classic,
        )
      : undefined;
  let started = false;
  try {
    // The total is what was sealed when it began; events appended since raise it as they come.
    const signingKey = await logSigningKey(config, openWrappedSecrets(config, pool));
    const verification = await new LogVerifier(store, pool, signingKey).verify(({ events, sealedEvents }) => {
      const total = Math.max(events, sealedEvents);
      if (!started) bar?.start(total, events);
      else {
        bar?.setTotal(total);
        bar?.update(events);
      }
      started = true;
    });
    bar?.stop();
    print(JSON.stringify(verification, null, 2));
    return verification.clean ? 0 : 1;
  } finally {
    if (started) bar?.stop();
    await store.close();
  }
}

/** Where cli-progress writes: stderr itself when it is a stream, else a stream onto the CLI's stderr. */
function progressStream(stderr: CliIo['stderr']): NodeJS.WritableStream {
  if (stderr instanceof Writable) return stderr;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      stderr.write(chunk.toString());
      done();
    },
  });
}

/**
 * Requests a new build of a projection and runs it in this process, printing its progress until it
 * serves queries (exit 0) or fails (exit 1). Projector processes run the same build, one at a time
 * (the ownership lock): should this command stop, one of them carries on from its checkpoint.
 */
async function rebuild(
  command: Extract<CliCommand, { kind: 'rebuild' }>,
  config: AppConfig,
  pool: pg.Pool,
  print: (text: string) => void,
  fail: (text: string) => number,
): Promise<number> {
  const projection = PROJECTIONS.find((candidate) => candidate.name === command.projection);
  if (!projection) return fail(`no projection ${command.projection}; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  const db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  const store = openEventStore(config, pool);
  let runner: ProjectionRunner | undefined;
  try {
    const { id, started } = await requestRebuild(db, projection);
    const label = buildLabel(projection.name, id);
    print(`${label}: ${started ? 'requested' : 'already under way'}; it builds from the start of the log while the current tables serve`);
    if (command.detach) {
      print('projector processes run it; follow it with: npm run cli -- projections');
      return 0;
    }
    runner = new ProjectionRunner(store, pool, projection, { build: id.build, batchSize: config.projectorBatchSize });
    runner.start();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, REBUILD_PROGRESS_MS));
      const status = (await projectionStatuses(db, store)).find((s) => s.name === projection.name && s.version === id.version && s.build === id.build);
      // Gone: it took over (its row stays) or a later build replaced it.
      if (status === undefined) return fail(`${label} is no longer there: a newer build replaced it`);
      if (status.failure) {
        const { eventId, eventType, position, error, skipCommand } = status.failure;
        return fail(
          `${label} failed at event ${eventId} (${eventType}, position ${position}): ${error}\n` +
            `The projectors carry it on from there once the code is fixed, or once the event is skipped: ${skipCommand}`,
        );
      }
      if (status.active) {
        print(`${label}: caught up after ${status.eventsApplied} events; it serves queries now, the previous tables are dropped`);
        return 0;
      }
      print(`${label}: ${status.eventsApplied} events applied, ${formatBehind(status)}`);
    }
  } finally {
    await runner?.stop();
    await db.destroy();
    await store.close();
  }
}

const REBUILD_PROGRESS_MS = 1_000;

/**
 * Records the skip of the event a projection stopped at, the reason with it; the projector waiting
 * at that event passes it within seconds. Refused (exit 1) unless the build is failed at exactly that position.
 */
async function skip(
  command: Extract<CliCommand, { kind: 'projections-skip' }>,
  config: AppConfig,
  pool: pg.Pool,
  print: (text: string) => void,
  fail: (text: string) => number,
): Promise<number> {
  if (!PROJECTIONS.some((candidate) => candidate.name === command.projection)) {
    return fail(`no projection ${command.projection}; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  }
  const db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  const store = openEventStore(config, pool);
  try {
    const { skipped, alreadyRecorded } = await skipFailedEvent(db, store, { ...command, name: command.projection });
    const label = buildLabel(skipped.name, skipped);
    if (alreadyRecorded) {
      print(`${label}: the skip of the event at ${skipped.position} was already recorded ${skipped.skippedAt} (reason: ${skipped.reason}); nothing changed`);
    } else {
      print(`${label}: recorded the skip of ${formatSkipped(skipped)}`);
      print(`it failed with: ${skipped.error}`);
    }
    print(`The projector passes it without applying it and resumes within seconds (so does every build of v${skipped.version}); follow it with: npm run cli -- projections`);
    return 0;
  } finally {
    await db.destroy();
    await store.close();
  }
}

function formatSkipped(skip: SkippedEvent): string {
  return `event ${skip.eventId} (${skip.eventType}, stream ${skip.streamId}) at ${skip.position}, ${skip.skippedAt}: ${skip.reason}`;
}

/** GET /projections, from the command line. */
async function projections(config: AppConfig, pool: pg.Pool): Promise<ProjectionStatus[]> {
  const store = openEventStore(config, pool);
  const db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  try {
    return await projectionStatuses(db, store);
  } finally {
    await db.destroy();
    await store.close();
  }
}

function formatProjections(statuses: readonly ProjectionStatus[]): string {
  if (statuses.length === 0) return 'no projection has run yet (start the projector)';
  return statuses
    .map((s) => {
      const failure = s.failure
        ? `  FAILED at event ${s.failure.eventId} (${s.failure.eventType}, stream ${s.failure.streamId ?? 'unknown'}, position ${s.failure.position}) ` +
          `${s.failure.at}: ${s.failure.error}\n    to pass it without applying it: ${s.failure.skipCommand}`
        : s.waitingFor
          ? `  WAITING since ${s.waitingFor.since}: ${s.waitingFor.reason}`
          : '';
      const skipped =
        s.skipped.count === 0
          ? ''
          : `\n    skipped ${s.skipped.count} event${s.skipped.count === 1 ? '' : 's'}${s.skipped.count > s.skipped.latest.length ? `, the latest ${s.skipped.latest.length}` : ''}:` +
            s.skipped.latest.map((skip) => `\n      ${formatSkipped(skip)}`).join('');
      return `${buildLabel(s.name, s)}${s.active ? ' (serving)' : ' (rebuilding)'}  ${s.state}  applied ${s.eventsApplied}  ${formatBehind(s)}  at ${s.checkpoint}${failure}${skipped}`;
    })
    .join('\n');
}

function formatBehind(s: ProjectionStatus): string {
  return `${s.lag.eventsBehind}${s.lag.eventsBehindCapped ? '+' : ''} events / ${s.lag.secondsBehind.toFixed(1)} s behind`;
}

function formatKeys(keys: readonly ApiKeyRecord[]): string {
  if (keys.length === 0) return 'no API keys';
  const header = ['ID', 'NAME', 'ROLE', 'PREFIX', 'CREATED', 'REVOKED'];
  const rows = keys.map((key) => [key.id, key.name, key.role, key.prefix, key.createdAt.toISOString(), key.revokedAt?.toISOString() ?? '-']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
