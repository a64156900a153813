import { eventIdFor, EventStoreUnavailableError, serializePosition, type EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { startTestApi, type TestApi } from './support/api.js';

describe('GET /health', () => {
  let api: TestApi | undefined;

  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('answers 200 when PostgreSQL and the event store answer, without an API key', async () => {
    api = await startTestApi();
    const response = await api.http.get('/health').expect(200).expect('Content-Type', /json/);
    expect(response.body).toEqual({
      status: 'ok',
      checks: {
        postgres: { status: 'up' },
        eventStore: { status: 'up', kind: 'postgres', head: null },
      },
    });
  });

  it('reports the head of the log once there are events', async () => {
    api = await startTestApi();
    const store = api.app.get<EventStore>(EVENT_STORE);
    const { position } = await store.append(
      'customer-health-check',
      [
        {
          id: eventIdFor('c1'),
          type: 'LeadRegistered',
          schemaVersion: 1,
          data: {},
          metadata: { actor: 'test', commandId: 'c1', correlationId: 'c1', causationId: 'c1' },
        },
      ],
      'no_stream',
    );
    const response = await api.http.get('/health').expect(200);
    expect(response.body.checks.eventStore).toEqual({ status: 'up', kind: 'postgres', head: serializePosition(position) });
  });

  it('answers 503 naming the check that failed', async () => {
    const unavailable: Partial<EventStore> = {
      close: async () => undefined,
      headPosition: () => Promise.reject(new EventStoreUnavailableError('EventStoreDB: connection refused')),
    };
    api = await startTestApi({ override: (builder) => builder.overrideProvider(EVENT_STORE).useValue(unavailable) });
    const response = await api.http.get('/health').expect(503);
    expect(response.body).toEqual({
      status: 'error',
      checks: {
        postgres: { status: 'up' },
        eventStore: { status: 'down', error: 'event store unavailable: EventStoreDB: connection refused' },
      },
    });
  });
});
