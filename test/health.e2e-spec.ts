import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '#config';
import { eventIdFor, EventStoreUnavailableError, serializePosition, type EventStore } from '#event-store';
import { EVENT_STORE, prepareDatabase, RuntimeModule } from '#runtime';
import { createTestDatabase, type TestDatabase } from '#testing';
import request from 'supertest';
import { ApiModule } from '../apps/api/src/api.module.js';

describe('GET /health', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function startApi(override?: Partial<EventStore>): Promise<INestApplication> {
    const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'error' });
    await prepareDatabase(config);
    let builder = Test.createTestingModule({ imports: [RuntimeModule.forRoot(config), ApiModule] });
    if (override) builder = builder.overrideProvider(EVENT_STORE).useValue({ close: async () => undefined, ...override });
    const app = (await builder.compile()).createNestApplication({ logger: false });
    return app.init();
  }

  it('answers 200 when PostgreSQL and the event store answer', async () => {
    const app = await startApi();
    try {
      const response = await request(app.getHttpServer()).get('/health').expect(200).expect('Content-Type', /json/);
      expect(response.body).toEqual({
        status: 'ok',
        checks: {
          postgres: { status: 'up' },
          eventStore: { status: 'up', kind: 'postgres', head: null },
        },
      });
    } finally {
      await app.close();
    }
  });

  it('reports the head of the log once there are events', async () => {
    const app = await startApi();
    try {
      const store = app.get<EventStore>(EVENT_STORE);
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
      const response = await request(app.getHttpServer()).get('/health').expect(200);
      expect(response.body.checks.eventStore).toEqual({ status: 'up', kind: 'postgres', head: serializePosition(position) });
    } finally {
      await app.close();
    }
  });

  it('answers 503 naming the check that failed', async () => {
    const app = await startApi({
      headPosition: () => Promise.reject(new EventStoreUnavailableError('EventStoreDB: connection refused')),
    });
    try {
      const response = await request(app.getHttpServer()).get('/health').expect(503);
      expect(response.body).toEqual({
        status: 'error',
        checks: {
          postgres: { status: 'up' },
          eventStore: { status: 'down', error: 'event store unavailable: EventStoreDB: connection refused' },
        },
      });
    } finally {
      await app.close();
    }
  });
});
