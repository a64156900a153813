/**
 * Verification of the whole event log (`POST /audit/log/verify`, `cli audit verify-log`) over a
 * PostgreSQL log of BENCH_EVENTS events (default 1,000,000) in BENCH_STREAMS streams (default
 * 10,000), appended 100 at a time by 8 writers. Measured in the same run: a plain read of the
 * whole log's stored form (readLogEntries, nothing checked) as the baseline, the sealer chaining
 * and signing it, and the verification. Prints events/s of each and the ratio verify/read.
 *
 *   npm run bench:verify-log        (BENCH_EVENTS=200000 for a quicker run)
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LogVerifier } from '#audit';
import { LogSealer, PostgresEventStore, START, eventIdFor, eventStoreMigrations, logSealMigrations, type NewEvent } from '#event-store';
import { createPool, migrate } from '#postgres';
import { createTestDatabase } from '#testing';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const WRITERS = 8;
const BATCH = 100;
const PAGE = 2_000;
const SIGNING_KEY = Buffer.alloc(32, 0x42);

function makeEvent(n: number): NewEvent {
  const commandId = randomUUID();
  return {
    id: eventIdFor(commandId),
    type: 'CallLogged',
    schemaVersion: 1,
    data: {
      callId: commandId,
      direction: 'outbound',
      durationSeconds: 300 + (n % 600),
      outcome: 'follow-up-requested',
      repId: `rep-${n % 50}`,
      summary: 'Discussed the renewal of the support contract; customer asked for a revised proposal.',
    },
    metadata: { actor: 'service:bench', commandId, correlationId: commandId, causationId: commandId },
  };
}

const perSecond = (events: number, started: number) => events / ((performance.now() - started) / 1000);

async function main() {
  const database = await createTestDatabase('crm_bench_verify');
  const pool = createPool(database.url, { max: WRITERS + 4 });
  const store = new PostgresEventStore({ connectionString: database.url, pool, pageSize: PAGE });
  try {
    await migrate(pool, eventStoreMigrations);
    await migrate(pool, logSealMigrations);

    let started = performance.now();
    const appendsPerWriter = Math.ceil(EVENTS / BATCH / WRITERS);
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        const revisions = new Map<number, number>();
        for (let i = 0; i < appendsPerWriter; i++) {
          // Each writer has its own streams; a batch is 100 events of one stream.
          const stream = writer + WRITERS * (i % Math.max(1, Math.floor(STREAMS / WRITERS)));
          const revision = revisions.get(stream);
          const events = Array.from({ length: BATCH }, (_, j) => makeEvent(i * BATCH + j));
          await store.append(`customer-${stream}`, events, revision ?? 'no_stream');
          revisions.set(stream, (revision ?? -1) + BATCH);
        }
      }),
    );
    const total = appendsPerWriter * WRITERS * BATCH;
    console.log(`log of ${total} events in ${Math.min(STREAMS, total / BATCH)} streams appended at ${perSecond(total, started).toFixed(0)} events/s`);

    // The baseline: reading the whole log's stored form, page by page, checking nothing.
    started = performance.now();
    let read = 0;
    for (let from = START; ; ) {
      const page = await store.readLogEntries({ from, limit: PAGE });
      if (page.entries.length === 0) break;
      read += page.entries.length;
      from = page.next;
    }
    const readRate = perSecond(read, started);

    // A transaction open anywhere on the server holds the log's horizon back: seal until all is in.
    started = performance.now();
    const sealer = new LogSealer(store, pool, SIGNING_KEY);
    let sealed = 0;
    while ((sealed = await sealer.sealNow()) < total) await new Promise((resolve) => setTimeout(resolve, 50));
    await sealer.stop();
    const sealRate = perSecond(sealed, started);

    started = performance.now();
    const verification = await new LogVerifier(store, pool, SIGNING_KEY, { pageSize: PAGE }).verify();
    const verifyRate = perSecond(verification.events, started);

    console.log(`read (baseline, nothing checked) ${read} events: ${readRate.toFixed(0)} events/s`);
    console.log(`seal (chain + ${(await pool.query('select count(*) from log_seal.checkpoints')).rows[0].count} checkpoints): ${sealRate.toFixed(0)} events/s`);
    console.log(
      `verify ${verification.events} events (${verification.streams} streams, ${verification.checkpoints.verified} checkpoints, clean: ${verification.clean}): ` +
        `${verifyRate.toFixed(0)} events/s, ${(verifyRate / readRate).toFixed(2)} of the plain read`,
    );
    if (!verification.clean) process.exitCode = 1;
  } finally {
    await store.close();
    await pool.end();
    await database.drop();
  }
}

await main();
