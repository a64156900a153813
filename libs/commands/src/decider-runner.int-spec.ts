import { randomUUID } from 'node:crypto';
import { RuleViolationError, type Decider } from '#domain';
import {
  PostgresEventStore,
  StreamErasedError,
  TransformingEventStore,
  WrongExpectedRevisionError,
  comparePositions,
  eventStoreMigrations,
  type NewEvent,
  type RecordedEvent,
} from '#event-store';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import type { CommandContext } from './command-context.js';
import { runDecider } from './decider-runner.js';

// A tiny context: a tally that may not exceed a limit, and never takes the same ticket twice.
type TallyCommand = { type: 'Add'; ticket: string; amount: number };
type TallyEvent = { type: 'Added'; data: { ticket: string; amount: number } };
type TallyState = { total: number; tickets: string[] };
const LIMIT = 1_000;
const tally: Decider<TallyCommand, TallyEvent, TallyState> = {
  initialState: { total: 0, tickets: [] },
  decide(command, state) {
    if (state.tickets.includes(command.ticket)) throw new RuleViolationError('ticket_used', 'ticket already used');
    if (state.total + command.amount > LIMIT) throw new RuleViolationError('over_limit', 'over the limit', 'amount');
    return [{ type: 'Added', data: { ticket: command.ticket, amount: command.amount } }];
  },
  evolve: (state, event) => ({ total: state.total + event.data.amount, tickets: [...state.tickets, event.data.ticket] }),
};

/** Refuses appends as a sealed stream's key store does, running `beforeRefusing` first (e.g. another writer). */
class SealedStreamStore extends TransformingEventStore {
  appends = 0;
  constructor(
    inner: PostgresEventStore,
    private readonly beforeRefusing: (streamId: string) => Promise<void> = async () => undefined,
  ) {
    super(inner);
  }
  protected override async beforeAppend(streamId: string): Promise<readonly NewEvent[]> {
    this.appends++;
    await this.beforeRefusing(streamId);
    throw new StreamErasedError(streamId);
  }
  protected async afterRead(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    return events;
  }
}

describe('running a decider against the event store', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const options = { schemaVersionOf: () => 1 };
  const context = (commandId: string = randomUUID()): CommandContext => ({
    commandId,
    correlationId: `corr-${commandId}`,
    causationId: commandId,
    actor: 'service:test',
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    const pool = createPool(database.url);
    await migrate(pool, eventStoreMigrations);
    await pool.end();
    store = new PostgresEventStore({ connectionString: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('appends the decided events with the command context as metadata', async () => {
    const stream = `tally-${randomUUID()}`;
    const ctx = context();
    const outcome = await runDecider(store, tally, stream, { type: 'Add', ticket: 't1', amount: 5 }, ctx, options);
    expect(outcome.revision).toBe(0);
    const [event] = await store.readStream(stream);
    expect(event).toMatchObject({ type: 'Added', schemaVersion: 1, data: { ticket: 't1', amount: 5 } });
    expect(event.metadata).toMatchObject({ actor: 'service:test', commandId: ctx.commandId, correlationId: ctx.correlationId });
    expect(comparePositions(event.position, outcome.position)).toBe(0);
  });

  it('lets the decider refuse, and appends nothing', async () => {
    const stream = `tally-${randomUUID()}`;
    await runDecider(store, tally, stream, { type: 'Add', ticket: 't1', amount: 5 }, context(), options);
    await expect(runDecider(store, tally, stream, { type: 'Add', ticket: 't1', amount: 1 }, context(), options)).rejects.toMatchObject({
      reason: 'ticket_used',
    });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('answers a retried command with its original outcome instead of deciding again', async () => {
    const stream = `tally-${randomUUID()}`;
    const ctx = context();
    const command: TallyCommand = { type: 'Add', ticket: 't1', amount: 5 };
    const first = await runDecider(store, tally, stream, command, ctx, options);
    await runDecider(store, tally, stream, { type: 'Add', ticket: 't2', amount: 1 }, context(), options);
    const retried = await runDecider(store, tally, stream, command, ctx, options);
    expect(retried.revision).toBe(first.revision);
    expect(comparePositions(retried.position, first.position)).toBe(0);
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('re-decides on conflict against the new state: concurrent commands are all applied or told of the conflict', async () => {
    const stream = `tally-${randomUUID()}`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => runDecider(store, tally, stream, { type: 'Add', ticket: `t${i}`, amount: 10 }, context(), options)),
    );
    const applied = outcomes.filter((o) => o.status === 'fulfilled').length;
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.every((o) => o.reason instanceof WrongExpectedRevisionError)).toBe(true);
    const events = await store.readStream(stream);
    expect(events).toHaveLength(applied);
    expect(applied).toBeGreaterThan(1);
  });

  it('enforces rules against the state current at append time, even under races', async () => {
    const stream = `tally-${randomUUID()}`;
    await runDecider(store, tally, stream, { type: 'Add', ticket: 'base', amount: LIMIT - 30 }, context(), options);
    // Six racing adds of 10 where only three fit: never over the limit.
    await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => runDecider(store, tally, stream, { type: 'Add', ticket: `r${i}`, amount: 10 }, context(), { ...options, maxAttempts: 10 })),
    );
    const total = (await store.readStream(stream)).reduce((sum, e) => sum + (e.data.amount as number), 0);
    expect(total).toBe(LIMIT);
  });

  it('decides once more when the stream was erased since it was read, so the decider answers', async () => {
    const stream = `tally-${randomUUID()}`;
    // The erasure lands between this command's read and its append (here: the ticket gets used).
    const erasing = new SealedStreamStore(store, async (streamId) => {
      await runDecider(store, tally, streamId, { type: 'Add', ticket: 't1', amount: 1 }, context(), options);
    });
    await expect(runDecider(erasing, tally, stream, { type: 'Add', ticket: 't1', amount: 5 }, context(), options)).rejects.toMatchObject({
      reason: 'ticket_used',
    });
    expect(erasing.appends).toBe(1);

    // A decider that does not see the erasure gets the store's refusal, after one more try only.
    const sealed = new SealedStreamStore(store);
    await expect(runDecider(sealed, tally, `tally-${randomUUID()}`, { type: 'Add', ticket: 't1', amount: 5 }, context(), options)).rejects.toThrow(
      StreamErasedError,
    );
    expect(sealed.appends).toBe(2);
  });
});
