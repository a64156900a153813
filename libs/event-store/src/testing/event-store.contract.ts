import { randomUUID } from 'node:crypto';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors.js';
import type { EventStore, ExpectedRevision, LogEntry } from '../event-store.port.js';
import { eventIdFor, type JsonObject, type NewEvent, type RecordedEvent } from '../event.js';
import { GENESIS_HASH, eventHash } from '../log-hash.js';
import { START, comparePositions, type Position } from '../position.js';

export interface ContractSubject {
  readonly store: EventStore;
  teardown(): Promise<void>;
}

/**
 * The behaviour every EventStore adapter must have. The log may be shared with other tests (an
 * EventStoreDB server), so each test uses its own stream names and reads of the whole log are
 * filtered to them.
 */
export function describeEventStoreContract(name: string, setUp: () => Promise<ContractSubject>): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    const run = randomUUID().slice(0, 8);
    let streamCounter = 0;
    const newStream = (label = 'customer') => `${label}-${run}x${++streamCounter}`;

    beforeAll(async () => {
      subject = await setUp();
      store = subject.store;
    });
    afterAll(() => subject?.teardown());

    const event = (data: JsonObject = {}, type = 'CallLogged', commandId: string = randomUUID(), index = 0): NewEvent => ({
      id: eventIdFor(commandId, index),
      type,
      schemaVersion: 1,
      data,
      metadata: { actor: 'service:test', commandId, correlationId: commandId, causationId: commandId },
    });
    const events = (count: number, from = 0): NewEvent[] =>
      Array.from({ length: count }, (_, i) => event({ n: from + i }));

    const expectConflict = async (promise: Promise<unknown>, actual: number | null) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect((error as WrongExpectedRevisionError).actual).toBe(actual);
    };

    /**
     * Every event of `streams` in the whole log after `from`, read page by page up to `until` (a
     * position already appended). A log may hold recent commits back briefly (PostgreSQL: while an
     * older transaction is still open), so an empty page before `until` means "look again".
     */
    const readLog = async (from: Position, until: Position, streams: Set<string>, limit = 100) => {
      const found: RecordedEvent[] = [];
      const deadline = Date.now() + 10_000;
      let position = from;
      while (comparePositions(position, until) < 0) {
        const page = await store.readAll({ from: position, limit });
        found.push(...page.events.filter((e) => streams.has(e.streamId)));
        if (page.events.length > 0) {
          expect(comparePositions(page.next, position)).toBe(1);
          position = page.next;
        } else if (Date.now() > deadline) {
          throw new Error('the log did not reach the last appended position within 10 s');
        } else {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      return found;
    };

    const head = async () => (await store.headPosition()) ?? START;

    /** Every stored entry of `streams` after `from`, up to `until` (appended already); as {@link readLog}. */
    const readEntries = async (from: Position, until: Position, streams: Set<string>) => {
      const found: LogEntry[] = [];
      const deadline = Date.now() + 10_000;
      let position = from;
      while (comparePositions(position, until) < 0) {
        const page = await store.readLogEntries({ from: position, limit: 100 });
        found.push(...page.entries.filter((e) => streams.has(e.streamId)));
        if (page.entries.length > 0) position = page.next;
        else if (Date.now() > deadline) throw new Error('the log did not reach the last appended position within 10 s');
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return found;
    };

    /** Each entry's hash recomputed from its stored form, and each linked to the one before it in its stream. */
    const expectChained = (entries: readonly LogEntry[]) => {
      entries.forEach((entry, i) => {
        expect(entry.revision).toBe(i);
        const previous = i === 0 ? GENESIS_HASH : entries[i - 1].hash;
        expect(entry.previousHash?.toString('hex')).toBe(previous?.toString('hex'));
        const recomputed = eventHash({ ...entry, eventId: entry.id, previousHash: entry.previousHash ?? GENESIS_HASH });
        expect(entry.hash?.toString('hex')).toBe(recomputed.toString('hex'));
      });
    };

    describe('append and read back', () => {
      it('appends a new stream and reads every field back', async () => {
        const stream = newStream();
        const appended = [event({ minutes: 12, outcome: 'interested' }), event({ text: 'second' }, 'NoteAdded')];
        const result = await store.append(stream, appended, 'no_stream');
        expect(result.revision).toBe(1);

        const read = await store.readStream(stream);
        expect(read.map((e) => e.revision)).toEqual([0, 1]);
        expect(read.map((e) => ({ id: e.id, type: e.type, data: e.data, schemaVersion: e.schemaVersion }))).toEqual(
          appended.map((e) => ({ id: e.id, type: e.type, data: e.data, schemaVersion: e.schemaVersion })),
        );
        expect(read[1].metadata).toMatchObject(appended[1].metadata);
        expect(read[1].metadata.recordedAt).toBeInstanceOf(Date);
        expect(read.every((e) => e.streamId === stream)).toBe(true);
        expect(comparePositions(read[1].position, result.position)).toBe(0);
        expect(comparePositions(read[0].position, read[1].position)).toBe(-1);
        expect(await store.streamRevision(stream)).toBe(1);
      });

      it('reads a stream that does not exist as empty', async () => {
        const stream = newStream();
        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.readStream(stream, { direction: 'backwards' })).toEqual([]);
        expect(await store.streamRevision(stream)).toBeNull();
      });

      it('gives later appends later positions', async () => {
        const first = await store.append(newStream(), [event()], 'any');
        const second = await store.append(newStream(), [event()], 'any');
        expect(comparePositions(first.position, second.position)).toBe(-1);
      });
    });

    describe('optimistic concurrency', () => {
      it('no_stream: accepts a new stream, rejects an existing one with its revision', async () => {
        const stream = newStream();
        await store.append(stream, events(3), 'no_stream');
        await expectConflict(store.append(stream, [event()], 'no_stream'), 2);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('stream_exists: rejects an absent stream, accepts an existing one', async () => {
        const stream = newStream();
        await expectConflict(store.append(stream, [event()], 'stream_exists'), null);
        expect(await store.streamRevision(stream)).toBeNull();
        await store.append(stream, [event()], 'any');
        expect((await store.append(stream, [event()], 'stream_exists')).revision).toBe(1);
      });

      it('exact revision: accepts only the current one', async () => {
        const stream = newStream();
        await store.append(stream, events(2), 'no_stream');
        await expectConflict(store.append(stream, [event()], 0), 1);
        await expectConflict(store.append(stream, [event()], 5), 1);
        await expectConflict(store.append(newStream(), [event()], 0), null);
        expect((await store.append(stream, [event()], 1)).revision).toBe(2);
      });

      it('any: appends whatever the stream holds', async () => {
        const stream = newStream();
        expect((await store.append(stream, [event()], 'any')).revision).toBe(0);
        expect((await store.append(stream, events(2), 'any')).revision).toBe(2);
      });

      it('lets exactly one of two racing writers at the same revision win', async () => {
        const stream = newStream();
        await store.append(stream, [event()], 'no_stream');
        const outcomes = await Promise.allSettled([store.append(stream, [event()], 0), store.append(stream, [event()], 0)]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('idempotent append', () => {
      it('returns the original result for a retried append and writes nothing', async () => {
        const stream = newStream();
        await store.append(stream, [event()], 'no_stream');
        const commandId = randomUUID();
        const batch = [event({ a: 1 }, 'PurchaseRecorded', commandId, 0), event({ a: 2 }, 'PurchaseRecorded', commandId, 1)];
        const original = await store.append(stream, batch, 0);
        const retried = await store.append(stream, batch, 0);
        const retriedAny = await store.append(stream, batch, 'any');
        for (const again of [retried, retriedAny]) {
          expect(again.revision).toBe(original.revision);
          expect(comparePositions(again.position, original.position)).toBe(0);
        }
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('rejects a batch that repeats only some of an earlier append', async () => {
        const stream = newStream();
        const commandId = randomUUID();
        await store.append(stream, [event({}, 'NoteAdded', commandId, 0)], 'no_stream');
        const mixed = [event({}, 'NoteAdded', commandId, 0), event({}, 'NoteAdded', commandId, 1)];
        await expect(store.append(stream, mixed, 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('reading a stream', () => {
      let stream: string;
      beforeAll(async () => {
        stream = newStream();
        await store.append(stream, events(10), 'no_stream');
      });

      it('reads forwards from a revision, up to a revision, with a limit', async () => {
        const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(stream, options)).map((e) => e.revision);
        expect(await revisions({ fromRevision: 7 })).toEqual([7, 8, 9]);
        expect(await revisions({ toRevision: 2 })).toEqual([0, 1, 2]);
        expect(await revisions({ fromRevision: 3, toRevision: 5 })).toEqual([3, 4, 5]);
        expect(await revisions({ fromRevision: 2, limit: 3 })).toEqual([2, 3, 4]);
        expect(await revisions({ fromRevision: 10 })).toEqual([]);
      });

      it('reads backwards from the end or from a revision', async () => {
        const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(stream, { direction: 'backwards', ...options })).map((e) => e.revision);
        expect(await revisions({ limit: 3 })).toEqual([9, 8, 7]);
        expect(await revisions({ fromRevision: 4, limit: 2 })).toEqual([4, 3]);
        expect(await revisions({ fromRevision: 1 })).toEqual([1, 0]);
        expect(await revisions({ toRevision: 2 })).toEqual([2, 1, 0]);
      });

      it('reads the stream as it was at a point in time', async () => {
        const timed = newStream();
        await store.append(timed, [event({ step: 1 })], 'no_stream');
        await new Promise((resolve) => setTimeout(resolve, 20));
        await store.append(timed, [event({ step: 2 })], 0);
        const [first, second] = await store.readStream(timed);
        expect(second.metadata.recordedAt.getTime()).toBeGreaterThan(first.metadata.recordedAt.getTime());

        const asOfFirst = await store.readStream(timed, { until: first.metadata.recordedAt });
        expect(asOfFirst.map((e) => e.data)).toEqual([{ step: 1 }]);
        expect(await store.readStream(timed, { until: new Date(first.metadata.recordedAt.getTime() - 1) })).toEqual([]);
        expect(await store.readStream(timed, { until: new Date() })).toHaveLength(2);
        expect(
          (await store.readStream(timed, { direction: 'backwards', until: first.metadata.recordedAt })).map((e) => e.revision),
        ).toEqual([0]);
      });
    });

    describe('reading the whole log', () => {
      it('pages through the log in order across page boundaries', async () => {
        const from = await head();
        const streams = [newStream(), newStream(), newStream()];
        const expected: string[] = [];
        let last = from;
        for (let round = 0; round < 4; round++) {
          for (const stream of streams) {
            const batch = events(round + 1);
            last = (await store.append(stream, batch, 'any')).position;
            expected.push(...batch.map((e) => e.id));
          }
        }
        for (const limit of [1, 3, 7, 30, 1000]) {
          const found = await readLog(from, last, new Set(streams), limit);
          expect(found.map((e) => e.id)).toEqual(expected);
        }
      });

      it('reads nothing of a stream after its last event, and reaches it as the head', async () => {
        const stream = newStream();
        const { position } = await store.append(stream, [event()], 'any');
        const page = await store.readAll({ from: position, limit: 10 });
        expect(page.events.filter((e) => e.streamId === stream)).toEqual([]);
        if (page.events.length === 0) expect(comparePositions(page.next, position)).toBe(0);
        await readLog(START, position, new Set(), 1000);
        expect(comparePositions(await head(), position)).toBeGreaterThanOrEqual(0);
      });
    });

    describe('hash chain', () => {
      it('hashes each event over its stored form, chained to the previous one in its stream', async () => {
        const stream = newStream();
        const other = newStream();
        const from = await head();
        await store.append(stream, [event({ text: 'line one\nline two', n: 1.5, nested: { b: [1, 'x'], a: null } })], 'no_stream');
        await store.append(other, events(2), 'no_stream');
        const { position } = await store.append(stream, [event({ name: 'Zoë 👋🏽' }, 'NoteAdded'), event({}, 'NoteAdded')], 0);
        const entries = await readEntries(from, position, new Set([stream, other]));
        const mine = entries.filter((e) => e.streamId === stream);
        expect(mine.map((e) => e.type)).toEqual(['CallLogged', 'NoteAdded', 'NoteAdded']);
        expect(JSON.parse(mine[1].data)).toEqual({ name: 'Zoë 👋🏽' });
        expect(JSON.parse(mine[1].metadata)).toMatchObject({ actor: 'service:test' });
        expectChained(mine);
        expectChained(entries.filter((e) => e.streamId === other));
        // Two streams of equal content still hash apart: the stream id is hashed.
        expect(entries.find((e) => e.streamId === other)?.hash).not.toEqual(mine[0].hash);
      });

      it('keeps the chain whole under racing writers, refusing a stale revision as before', async () => {
        const stream = newStream();
        const from = await head();
        await store.append(stream, [event()], 'no_stream');
        const raced = await Promise.allSettled([
          ...Array.from({ length: 4 }, () => store.append(stream, events(2), 'any')),
          store.append(stream, [event()], 'stream_exists'),
        ]);
        expect(raced.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
        await expectConflict(store.append(stream, [event()], 3), 9);
        const { position } = await store.append(stream, [event()], 9);
        expectChained(await readEntries(from, position, new Set([stream])));
      });

      it('writes nothing for a retried append: the chain goes on from the original', async () => {
        const stream = newStream();
        const from = await head();
        const commandId = randomUUID();
        const batch = [event({ a: 1 }, 'NoteAdded', commandId, 0), event({ a: 2 }, 'NoteAdded', commandId, 1)];
        await store.append(stream, batch, 'no_stream');
        await store.append(stream, batch, 'any');
        await store.append(stream, batch, 'no_stream');
        const { position } = await store.append(stream, [event()], 1);
        const entries = await readEntries(from, position, new Set([stream]));
        expect(entries).toHaveLength(3);
        expectChained(entries);
      });
    });

    describe('subscribing to the whole log', () => {
      /** Collects events of `streams` until `count` arrived, then aborts the subscription. */
      const collect = async (from: Position, streams: Set<string>, count: number) => {
        const controller = new AbortController();
        const timeout = setTimeout(() => controller.abort(), 20_000);
        const received: RecordedEvent[] = [];
        for await (const e of store.subscribeToAll({ from, signal: controller.signal })) {
          if (streams.has(e.streamId)) received.push(e);
          if (received.length >= count) controller.abort();
        }
        clearTimeout(timeout);
        return received;
      };

      it('delivers the events after a position, and not those before it', async () => {
        const stream = newStream();
        await store.append(stream, events(3), 'no_stream');
        const [, second] = await store.readStream(stream);
        await store.append(stream, events(2, 3), 2);
        const received = await collect(second.position, new Set([stream]), 3);
        expect(received.map((e) => e.revision)).toEqual([2, 3, 4]);
      });

      it('keeps delivering events appended after it started, until aborted', async () => {
        const stream = newStream();
        const from = await head();
        const receiving = collect(from, new Set([stream]), 6);
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 30));
          await store.append(stream, events(2, i * 2), 'any');
        }
        const received = await receiving;
        expect(received.map((e) => e.data)).toEqual([0, 1, 2, 3, 4, 5].map((n) => ({ n })));
      });

      it('ends without error when aborted while waiting', async () => {
        const controller = new AbortController();
        const done = (async () => {
          const seen: RecordedEvent[] = [];
          for await (const e of store.subscribeToAll({ from: await head(), signal: controller.signal })) seen.push(e);
          return seen;
        })();
        setTimeout(() => controller.abort(), 100);
        await expect(done).resolves.toBeInstanceOf(Array);
      });
    });

    describe('volume and content', () => {
      it('holds a 10,000-event stream', async () => {
        const stream = newStream();
        const from = await head();
        for (let batch = 0; batch < 20; batch++) {
          const expected: ExpectedRevision = batch === 0 ? 'no_stream' : batch * 500 - 1;
          await store.append(stream, events(500, batch * 500), expected);
        }
        const read = await store.readStream(stream);
        expect(read).toHaveLength(10_000);
        const last = read[read.length - 1].position;
        expect(read.every((e, i) => e.revision === i && (e.data as { n: number }).n === i)).toBe(true);
        expect((await store.readStream(stream, { direction: 'backwards', limit: 1 }))[0].revision).toBe(9_999);
        const logged = await readLog(from, last, new Set([stream]), 1000);
        expect(logged.map((e) => e.revision)).toEqual(read.map((e) => e.revision));
      }, 120_000);

      it('stores a 1 MB event intact', async () => {
        const stream = newStream();
        const big = { text: 'x'.repeat(1024 * 1024), tail: 'end' };
        await store.append(stream, [event(big, 'AttachmentAdded')], 'no_stream');
        const [read] = await store.readStream(stream);
        expect((read.data.text as string).length).toBe(1024 * 1024);
        expect(read.data).toEqual(big);
      });

      it('keeps unicode data exactly', async () => {
        const stream = newStream();
        const data = {
          name: 'Zoë Ångström-Łukasiewicz',
          company: '株式会社テスト',
          note: 'שלום 👋🏽 مرحبا — ñ, ß, é (e\u0301)',
          emoji: '🧾💶🤝',
          nested: { tags: ['café', 'naïve', '東京'] },
        };
        await store.append(stream, [event(data, 'NoteAdded')], 'no_stream');
        const [read] = await store.readStream(stream);
        expect(read.data).toEqual(data);
      });
    });
  });
}
