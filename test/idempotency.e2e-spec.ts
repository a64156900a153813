import { Body, Controller, Inject, Param, Post } from '@nestjs/common';
import { IsString } from 'class-validator';
import type pg from 'pg';
import { ApiKeyService, Roles } from '#auth';
import { Command, commandIdFor, CurrentCommand, type CommandContext } from '#commands';
import { RuleViolationError } from '#domain';
import { eventIdFor, type EventStore } from '#event-store';
import { PROBLEM_TYPES } from '#http';
import { EVENT_STORE, PG_POOL } from '#providers';
import { startTestApi, type TestApi } from './support/api.js';

class NoteDto {
  @IsString()
  readonly text!: string;
}

/** Lets a test hold a request inside its handler. */
class Gate {
  private opened = Promise.resolve();
  private openIt: () => void = () => undefined;

  close(): void {
    this.opened = new Promise((resolve) => (this.openIt = resolve));
  }

  open(): void {
    this.openIt();
  }

  wait(): Promise<void> {
    return this.opened;
  }
}

const gate = new Gate();

/** A test-only command route: appends one event per note, with ids from the command id. */
@Roles('service')
@Controller('test/notes')
class NotesTestController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Post(':stream')
  @Command()
  async add(@Param('stream') stream: string, @Body() note: NoteDto, @CurrentCommand() command: CommandContext) {
    if (note.text === 'refused') throw new RuleViolationError('refused', 'this note is refused', 'text');
    if (note.text === 'slow') await gate.wait();
    const { revision } = await this.store.append(
      `note-${stream}`,
      [{ id: eventIdFor(command.commandId, 0), type: 'NoteAdded', schemaVersion: 1, data: { text: note.text }, metadata: command }],
      'any',
    );
    return { revision, command };
  }
}

describe('Idempotency-Key on command routes', () => {
  let api: TestApi;
  let store: EventStore;
  let serviceKeyId: string;
  let stream = 0;
  const nextStream = () => `s${++stream}`;
  const post = (path: string, body: object, key?: string, apiKey = api.keys.service) => {
    const request = api.http.post(path).auth(apiKey, { type: 'bearer' }).send(body);
    return key === undefined ? request : request.set('Idempotency-Key', key);
  };
  const eventsOf = async (name: string) => store.readStream(`note-${name}`);

  beforeAll(async () => {
    api = await startTestApi({ controllers: [NotesTestController] });
    store = api.app.get<EventStore>(EVENT_STORE);
    const principal = await api.app.get(ApiKeyService).authenticate(api.keys.service);
    if (!principal) throw new Error('the test service key does not authenticate');
    serviceKeyId = principal.keyId;
  });

  afterAll(async () => {
    await api?.close();
  });

  it('gives the handler a command context: command id from the key, correlation id, actor', async () => {
    const name = nextStream();
    const response = await post(`/test/notes/${name}`, { text: 'hello' }, 'key-1').set('X-Correlation-Id', 'journey-7').expect(201);
    const commandId = commandIdFor(serviceKeyId, 'key-1');
    expect(response.body).toEqual({ revision: 0, command: { commandId, correlationId: 'journey-7', causationId: commandId, actor: 'service:test-service' } });
    const [event] = await eventsOf(name);
    expect(event.id).toBe(eventIdFor(commandId, 0));
  });

  it('replays the first response to a retry, with Idempotent-Replayed, appending nothing', async () => {
    const name = nextStream();
    const first = await post(`/test/notes/${name}`, { text: 'hello' }, 'retry-me').expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    for (let retry = 0; retry < 2; retry++) {
      const again = await post(`/test/notes/${name}`, { text: 'hello' }, 'retry-me').expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
    }
    expect(await eventsOf(name)).toHaveLength(1);
  });

  it('refuses the key for a different body or path with 422', async () => {
    const name = nextStream();
    await post(`/test/notes/${name}`, { text: 'hello' }, 'used-once').expect(201);
    const otherBody = await post(`/test/notes/${name}`, { text: 'bye' }, 'used-once').expect(422).expect('Content-Type', /problem\+json/);
    expect(otherBody.body).toMatchObject({ type: PROBLEM_TYPES.idempotencyKeyReused, status: 422 });
    await post(`/test/notes/${nextStream()}`, { text: 'hello' }, 'used-once').expect(422);
    expect(await eventsOf(name)).toHaveLength(1);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const name = nextStream();
    gate.close();
    const first = post(`/test/notes/${name}`, { text: 'slow' }, 'concurrent').then((response) => response);
    try {
      await waitFor(async () => (await api.app.get<pg.Pool>(PG_POOL).query(`select 1 from commands.idempotency_keys where idempotency_key = 'concurrent'`)).rowCount === 1);
      const second = await post(`/test/notes/${name}`, { text: 'slow' }, 'concurrent').expect(409).expect('Content-Type', /problem\+json/);
      expect(second.body).toMatchObject({ type: PROBLEM_TYPES.idempotencyKeyInProgress, status: 409 });
    } finally {
      gate.open();
    }
    expect((await first).status).toBe(201);
    await post(`/test/notes/${name}`, { text: 'slow' }, 'concurrent').expect(201).expect('Idempotent-Replayed', 'true');
    expect(await eventsOf(name)).toHaveLength(1);
  });

  it('keeps no record of a failed request: the client may fix it and retry with the same key', async () => {
    const name = nextStream();
    await post(`/test/notes/${name}`, { text: 'refused' }, 'fix-and-retry').expect(422).expect((response) => expect(response.body.type).toBe(PROBLEM_TYPES.ruleViolated));
    await post(`/test/notes/${name}`, { text: 42 }, 'fix-and-retry').expect(400);
    const fixed = await post(`/test/notes/${name}`, { text: 'fixed' }, 'fix-and-retry').expect(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    expect(await eventsOf(name)).toHaveLength(1);
  });

  it('appends nothing when retried after a crash between the append and storing the response', async () => {
    const name = nextStream();
    // The crashed attempt: its event is in the log, no response was stored.
    const commandId = commandIdFor(serviceKeyId, 'crashed');
    await store.append(
      `note-${name}`,
      [{ id: eventIdFor(commandId, 0), type: 'NoteAdded', schemaVersion: 1, data: { text: 'hello' }, metadata: { actor: 'service:test-service', commandId, correlationId: commandId, causationId: commandId } }],
      'any',
    );
    const retry = await post(`/test/notes/${name}`, { text: 'hello' }, 'crashed').expect(201);
    expect(retry.body.revision).toBe(0);
    expect(await eventsOf(name)).toHaveLength(1);
  });

  it("keeps each API key's Idempotency-Keys to itself", async () => {
    const name = nextStream();
    const other = await api.app.get(ApiKeyService).create({ name: 'other-service', role: 'service' });
    const mine = await post(`/test/notes/${name}`, { text: 'hello' }, 'shared-key').expect(201);
    const theirs = await post(`/test/notes/${name}`, { text: 'hello' }, 'shared-key', other.key).expect(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.command.commandId).not.toBe(mine.body.command.commandId);
    expect(await eventsOf(name)).toHaveLength(2);
  });

  it('runs every request without a key as a new command', async () => {
    const name = nextStream();
    const first = await post(`/test/notes/${name}`, { text: 'hello' }).expect(201);
    const second = await post(`/test/notes/${name}`, { text: 'hello' }).expect(201);
    expect(second.body.command.commandId).not.toBe(first.body.command.commandId);
    expect(first.body.command.correlationId).toBe(first.body.command.commandId);
    expect(await eventsOf(name)).toHaveLength(2);
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
    ['empty', ''],
  ])('refuses a key %s with 400', async (_, key) => {
    const name = nextStream();
    const response = await post(`/test/notes/${name}`, { text: 'hello' }, key).expect(400).expect('Content-Type', /problem\+json/);
    expect(response.body.errors).toEqual([{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 255 printable ASCII characters, sent once' }]);
    expect(await eventsOf(name)).toHaveLength(0);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
