import type { RecordedEvent } from '#event-store';
import { webhookBody } from './webhook.body.js';

describe('webhookBody', () => {
  const event: RecordedEvent = {
    id: '9b2d7c4e-1f3a-5e6b-8c9d-0a1b2c3d4e5f',
    streamId: 'customer-42',
    revision: 3,
    position: { major: 757n, minor: 12n },
    type: 'CallLogged',
    schemaVersion: 1,
    data: { direction: 'outbound', summary: { $erased: true } },
    metadata: { actor: 'webshop', commandId: 'cmd-1', correlationId: 'corr-1', causationId: 'cause-1', recordedAt: new Date('2026-03-01T09:30:00.123Z') },
  };

  it('carries the event, its id and its place in the stream and the log, not the actor or command', () => {
    expect(JSON.parse(JSON.stringify(webhookBody(event)))).toEqual({
      id: event.id,
      type: 'CallLogged',
      schemaVersion: 1,
      streamId: 'customer-42',
      revision: 3,
      position: '757-12',
      recordedAt: '2026-03-01T09:30:00.123Z',
      correlationId: 'corr-1',
      causationId: 'cause-1',
      data: { direction: 'outbound', summary: { $erased: true } },
    });
  });
});
