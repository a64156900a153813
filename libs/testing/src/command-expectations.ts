import { serializePosition, type EventStore, type RecordedEvent } from '#event-store';

/** A serialised log position, as commands answer it. */
export const POSITION = /^\d+-\d+$/;
/** A timestamp as the domain normalises it: UTC with milliseconds. */
export const UTC_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** An answer of the api, as supertest gives it. */
export interface CommandAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

/** What a command that succeeds must answer and append. */
export interface AppendExpectation {
  readonly status: number;
  /** The property of the answer naming the stream's id (`customerId`), and the id. */
  readonly idKey: string;
  readonly id: string;
  /** The event type the command appends. */
  readonly event: string;
}

/**
 * Sends a command (`send`) and expects success: the status, `{<idKey>: id, revision, position}`
 * one past the stream's revision before, and exactly one event of the expected type appended to
 * `stream` at that revision and position. Answers the event (as the store reads it) and the answer.
 */
export async function expectAppendedEvent(
  store: EventStore,
  stream: string,
  send: () => PromiseLike<CommandAnswer>,
  expected: AppendExpectation,
): Promise<{ event: RecordedEvent; response: CommandAnswer }> {
  const before = (await store.streamRevision(stream)) ?? -1;
  const response = await send();
  expect({ status: response.status, body: response.body }).toEqual({
    status: expected.status,
    body: { [expected.idKey]: expected.id, revision: before + 1, position: expect.stringMatching(POSITION) },
  });
  const appended = await store.readStream(stream, { fromRevision: before + 1 });
  expect(appended.map((event) => event.type)).toEqual([expected.event]);
  const [event] = appended;
  expect({ revision: event.revision, position: serializePosition(event.position) }).toEqual({
    revision: response.body.revision,
    position: response.body.position,
  });
  return { event, response };
}
