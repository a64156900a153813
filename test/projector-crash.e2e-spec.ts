import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { loadConfig, type AppConfig } from '#config';
import { customerDecider, customerStream, type CustomerCommand, type CustomerEvent } from '#customers/domain';
import { schemaVersionOf } from '#event-catalog';
import { eventIdFor, type EventStore, type NewEvent } from '#event-store';
import { borrowedPool, createPool } from '#postgres';
import { ReadConsistency, verifyProjection, type ProjectionsTables } from '#read-model-engine';
import { openEventStore, prepareDatabase } from '#runtime';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from '#testing';
import { PROJECTIONS } from '#projections';

/**
 * Reliability: the projector process is killed (SIGKILL) at random moments while it catches up;
 * after a last clean run, every read model equals a rebuild from the log that nothing interrupted.
 */
describe('a projector killed at random points while catching up', () => {
  const CUSTOMERS = 120;
  let database: TestDatabase;
  let config: AppConfig;
  let pool: pg.Pool;
  let store: EventStore;
  let db: Kysely<ProjectionsTables>;

  beforeAll(async () => {
    database = await createTestDatabase();
    config = loadConfig({ DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY });
    await prepareDatabase(config);
    pool = createPool(database.url);
    store = openEventStore(config, pool);
    db = new Kysely<ProjectionsTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  });
  afterAll(async () => {
    await db?.destroy();
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  /** A customer's history as the domain decides it: registration, calls, purchases, a refund, a contract. */
  function history(customerId: string, n: number): CustomerEvent[] {
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, n % 60) + minute * 60_000).toISOString();
    const commands: CustomerCommand[] = [
      { type: 'RegisterCustomer', customerId, source: 'import', contact: { name: `Customer ${n}`, email: `c${n}@example.com`, phone: `+49 ${n}` }, company: { name: `Company ${n % 17}` }, demographics: { region: `region-${n % 5}` }, tags: [`t${n % 3}`], ownerRepId: `rep-${n % 7}`, registeredAt: at(0) },
      ...Array.from({ length: 5 }, (_, i): CustomerCommand => ({ type: 'LogCall', customerId, callId: `call-${i}`, direction: 'outbound', durationSeconds: 60 * (i + 1), outcome: 'interested', repId: `rep-${n % 7}`, summary: `Call ${i} with ${n}`, occurredAt: at(10 + i) })),
      { type: 'RecordPurchase', customerId, orderId: `order-${n}`, lines: [{ productSku: `SKU-${n % 9}`, quantity: 2, unitPriceMinor: 1000 + n, currency: 'EUR' }], purchasedAt: at(30) },
      { type: 'RecordRefund', customerId, refundId: `refund-${n}`, orderId: `order-${n}`, lines: [{ lineNo: 1, quantity: 1 }], refundedAt: at(40) },
      { type: 'RecordContract', customerId, contractId: `contract-${n}`, kind: 'own', startsOn: '2026-01-01', endsOn: '2026-12-31', valueMinor: 50_000, currency: 'EUR', recordedAt: at(50) },
      { type: 'AddNote', customerId, noteId: `note-${n}`, text: `Note about ${n}`, addedAt: at(60) },
      ...(n % 4 === 0 ? [{ type: 'ConvertLead', customerId, convertedAt: at(70) } as CustomerCommand] : []),
    ];
    let state = customerDecider.initialState;
    const events: CustomerEvent[] = [];
    for (const command of commands) {
      for (const event of customerDecider.decide(command, state)) {
        state = customerDecider.evolve(state, event);
        events.push(event);
      }
    }
    return events;
  }

  function startProjector(): ChildProcess {
    return spawn(process.execPath, ['--conditions=development', '--import', './test/support/register-ts.mjs', 'apps/projector/src/main.ts'], {
      env: { ...process.env, DATABASE_URL: database.url, CRM_MASTER_KEY: TEST_MASTER_KEY, PROJECTOR_BATCH_SIZE: '20', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  const applied = async () =>
    (await db.selectFrom('projections.checkpoints').select(['name', 'events_applied']).execute()).reduce((sum, row) => sum + row.events_applied, 0);

  it('ends with read models equal to an uninterrupted rebuild', async () => {
    for (let n = 0; n < CUSTOMERS; n++) {
      const customerId = `crash-${n}-${randomUUID().slice(0, 8)}`;
      const commandId = randomUUID();
      const events = history(customerId, n).map(
        (event, i): NewEvent => ({
          id: eventIdFor(commandId, i),
          type: event.type,
          schemaVersion: schemaVersionOf(event.type),
          data: event.data as unknown as NewEvent['data'],
          metadata: { actor: 'service:crash-test', commandId, correlationId: commandId, causationId: commandId },
        }),
      );
      await store.append(customerStream(customerId), events, 'no_stream');
    }
    const head = (await store.headPosition())!;
    const total = PROJECTIONS.length * (await countEvents());

    // Kill it mid-batch, again and again, at random moments once it makes progress.
    const progressAtKill: number[] = [];
    for (let kill = 0; kill < 5; kill++) {
      const before = await applied();
      const child = startProjector();
      const deadline = Date.now() + 30_000;
      while ((await applied()) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 120)));
      child.kill('SIGKILL');
      await exited(child);
      progressAtKill.push(await applied());
    }
    // The kills really fell while catching up, not after.
    expect(progressAtKill.some((done) => done > 0 && done < total)).toBe(true);

    const child = startProjector();
    try {
      await new ReadConsistency(db, { timeoutMs: 60_000 }).waitFor(
        PROJECTIONS.map((p) => p.name),
        head,
      );
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
    expect(await applied()).toBe(total);
    for (const projection of PROJECTIONS) {
      const verification = await verifyProjection(pool, store, projection);
      expect({ projection: projection.name, differences: verification.differences }).toEqual({ projection: projection.name, differences: [] });
    }
  }, 180_000);

  async function countEvents(): Promise<number> {
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from event_store.events');
    return rows[0].n;
  }
});
