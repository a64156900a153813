import type pg from 'pg';
import { eventIdFor, EventStoreUnavailableError, serializePosition, type EventStore } from '#event-store';
import { EVENT_STORE, PG_POOL } from '#providers';
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
        projections: { status: 'up' },
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
        projections: { status: 'up' },
      },
    });
  });

  it('stays 200 but degraded when a projection stopped at an event it cannot apply, naming it and the way out', async () => {
    api = await startTestApi();
    const pool = api.app.get<pg.Pool>(PG_POOL);
    await pool.query(
      `insert into projections.checkpoints (name, version, status, failed_event_id, failed_event_type, failed_position, failed_stream_id, error)
       values ('customer-timeline', 1, 'failed', '00000000-0000-5000-8000-000000000001', 'CallLogged', '812-3', 'customer-c-1', 'boom')`,
    );
    await pool.query(`insert into projections.active_versions (name, version) values ('customer-timeline', 1) on conflict (name) do nothing`);
    const response = await api.http.get('/health').expect(200);
    expect(response.body.status).toBe('degraded');
    expect(response.body.checks.projections).toEqual({
      status: 'down',
      error:
        'customer-timeline v1 stopped at event 00000000-0000-5000-8000-000000000001 (CallLogged, position 812-3, stream customer-c-1): boom; ' +
        'a restart applies it again once the code is fixed, or pass it without applying it: ' +
        'npm run cli -- projections skip customer-timeline 812-3 --reason "<why passing it is safe>"',
    });
  });
});
