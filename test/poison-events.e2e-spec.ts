import { randomUUID } from 'node:crypto';
import { customerStream } from '#customers/domain';
import { comparePositions, eventIdFor, parsePosition, serializePosition, type EventStore } from '#event-store';
import type { ProjectionStatus } from '#read-model-engine';
import { EVENT_STORE } from '#providers';
import { runCliCapturing } from './support/cli.js';
import { startTestApi, type TestApi } from './support/api.js';

/** A poison event as operators meet it: in /health and /projections, then passed with the CLI's skip. */
describe('a projection stopped at a poison event', () => {
  let api: TestApi;
  const as = (role: 'service' | 'analyst' | 'auditor') => ({ Authorization: `Bearer ${api.keys[role]}` });
  const timeline = async (): Promise<ProjectionStatus | undefined> => {
    const response = await api.http.get('/projections').set(as('analyst')).expect(200);
    return (response.body.projections as ProjectionStatus[]).find((status) => status.name === 'customer-timeline');
  };
  const until = async (what: string, condition: () => Promise<boolean>) => {
    const deadline = Date.now() + 15_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    api = await startTestApi({ withProjector: true });
  });
  afterAll(() => api?.close());

  it('is reported with the event and the way out, and resumes past it once skipped, without a restart', async () => {
    await api.http.post('/customers').set(as('service')).send({ customerId: 'poison-before', source: 'api', contact: { name: 'Before' } }).expect(201);
    // Written around the api (an old importer): a registration without the contact the timeline summarises.
    const commandId = randomUUID();
    const poison = await api.app.get<EventStore>(EVENT_STORE).append(
      customerStream('poison-broken'),
      [{ id: eventIdFor(commandId), type: 'CustomerRegistered', schemaVersion: 1, data: { source: 'import' }, metadata: { actor: 'service:old-importer', commandId, correlationId: commandId, causationId: commandId } }],
      'no_stream',
    );
    const position = serializePosition(poison.position);
    await until('the timeline stops', async () => (await timeline())?.state === 'failed');

    const failed = await timeline();
    expect(failed?.failure).toMatchObject({
      eventId: eventIdFor(commandId),
      eventType: 'CustomerRegistered',
      streamId: 'customer-poison-broken',
      position,
      skipCommand: `npm run cli -- projections skip customer-timeline ${position} --reason "<why passing it is safe>"`,
    });
    expect(failed?.skipped).toEqual({ count: 0, latest: [] });
    const health = await api.http.get('/health').expect(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.checks.projections.error).toContain(
      `customer-timeline v1 stopped at event ${eventIdFor(commandId)} (CustomerRegistered, position ${position}, stream customer-poison-broken): `,
    );
    expect(health.body.checks.projections.error).toContain(`npm run cli -- projections skip customer-timeline ${position} --reason`);

    // Every projection stopping there gets its skip; the projector resumes them all past it.
    const skipped = new Set<string>();
    await until('every projection passed the poison event', async () => {
      const response = await api.http.get('/projections').set(as('analyst')).expect(200);
      const statuses = response.body.projections as ProjectionStatus[];
      for (const status of statuses) {
        if (status.failure === null || skipped.has(status.name)) continue;
        skipped.add(status.name);
        expect(status.failure.position).toBe(position);
        const run = await runCliCapturing(api.database.url, ['projections', 'skip', status.name, position, '--reason', 'registration without a contact, from the old importer']);
        expect(run).toMatchObject({ status: 0, stderr: '' });
      }
      return statuses.every((status) => status.state === 'running' && comparePositions(parsePosition(status.checkpoint), poison.position) >= 0);
    });
    const after = await api.http.post('/customers').set(as('service')).send({ customerId: 'poison-after', source: 'api', contact: { name: 'After' } }).expect(201);
    await api.http.get('/customers/poison-after/timeline').set('X-Consistent-With', after.body.position).set(as('analyst')).expect(200);

    const resumed = await timeline();
    expect(resumed).toMatchObject({
      state: 'running',
      failure: null,
      skipped: { count: 1, latest: [{ position, eventId: eventIdFor(commandId), reason: 'registration without a contact, from the old importer' }] },
    });
    expect((await api.http.get('/health').expect(200)).body).toMatchObject({ status: 'ok', checks: { projections: { status: 'up' } } });
    const verified = await api.http.post('/audit/projections/customer-timeline/verify').set(as('auditor')).expect(200);
    expect(verified.body).toMatchObject({ differences: [], skipped: [{ position, streamId: 'customer-poison-broken' }] });
  });
});
