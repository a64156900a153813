import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EventStoreUnavailableError } from '../errors.js';
import type { EventStore } from '../event-store.port.js';
import { eventIdFor, type NewEvent } from '../event.js';
import { START } from '../position.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

// Nothing listens on port 1 of the loopback interface: every connection is refused at once. The
// deadline bounds the calls that would otherwise wait for a server.
const UNREACHABLE = 'esdb://127.0.0.1:1?tls=false&defaultDeadline=2000';

/**
 * The real `process`. Jest gives a test file a copy of it whose listeners never fire; a core
 * module's function belongs to the outer realm, so its Function constructor evaluates there.
 */
const realProcess = new (readFileSync.constructor as FunctionConstructor)('return process')() as NodeJS.Process;

const event = (): NewEvent => {
  const commandId = randomUUID();
  return {
    id: eventIdFor(commandId),
    type: 'CallLogged',
    schemaVersion: 1,
    data: { minutes: 3 },
    metadata: { actor: 'service:test', commandId, correlationId: commandId, causationId: commandId },
  };
};

const drain = async (store: EventStore, signal?: AbortSignal) => {
  const seen: unknown[] = [];
  for await (const e of store.subscribeToAll({ from: START, signal })) seen.push(e);
  return seen;
};

describe('EventStoreDbEventStore when the server is unreachable', () => {
  let store: EventStoreDbEventStore;
  const crashes: unknown[] = [];
  const recordCrash = (error: unknown) => crashes.push(error);

  beforeAll(() => {
    realProcess.on('uncaughtException', recordCrash);
    realProcess.on('unhandledRejection', recordCrash);
    store = new EventStoreDbEventStore(UNREACHABLE);
  });

  afterEach(async () => {
    // Late 'error' events or rejections from the client would arrive after the call has failed.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(crashes).toEqual([]);
  });

  afterAll(async () => {
    await store?.close();
    realProcess.off('uncaughtException', recordCrash);
    realProcess.off('unhandledRejection', recordCrash);
  });

  const expectUnavailable = async (work: () => Promise<unknown>) => {
    const error = await work().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toContain('EventStoreDB at esdb://127.0.0.1:1');
  };

  it('rejects an append', async () => {
    await expectUnavailable(() => store.append('customer-unreachable', [event()], 'any'));
    await expectUnavailable(() => store.append('customer-unreachable', [event()], 'no_stream'));
  });

  it('rejects reading a stream, either way', async () => {
    await expectUnavailable(() => store.readStream('customer-unreachable'));
    await expectUnavailable(() => store.readStream('customer-unreachable', { direction: 'backwards', limit: 1 }));
    await expectUnavailable(() => store.readStream('customer-unreachable', { until: new Date() }));
  });

  it("rejects asking for a stream's revision", async () => {
    await expectUnavailable(() => store.streamRevision('customer-unreachable'));
  });

  it('rejects reading the log and its head', async () => {
    await expectUnavailable(() => store.readAll());
    await expectUnavailable(() => store.readAll({ from: { major: 1234n, minor: 1234n }, limit: 10 }));
    await expectUnavailable(() => store.headPosition());
  });

  it('rejects iterating a subscription', async () => {
    // The timeout only ends a subscription that would wrongly wait; that ends cleanly and fails the test.
    await expectUnavailable(() => drain(store, AbortSignal.timeout(10_000)));
  });

  it('fails calls made all at once, each with the same error', async () => {
    const outcomes = await Promise.allSettled([
      store.append('customer-unreachable', [event()], 0),
      store.readStream('customer-unreachable'),
      store.streamRevision('customer-unreachable'),
      store.readAll({ limit: 5 }),
      store.headPosition(),
      drain(store),
      drain(store),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(EventStoreUnavailableError);
    }
  });

  it('ends a subscription aborted before it starts without touching the server', async () => {
    await expect(drain(store, AbortSignal.abort())).resolves.toEqual([]);
  });
});
