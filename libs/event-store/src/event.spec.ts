import { eventIdFor } from './event.js';

describe('event ids derived from the command id', () => {
  it('are the same for a retried command', () => {
    expect(eventIdFor('cmd-1', 0)).toBe(eventIdFor('cmd-1', 0));
  });

  it('differ per command and per event of one command', () => {
    const ids = new Set([eventIdFor('cmd-1', 0), eventIdFor('cmd-1', 1), eventIdFor('cmd-2', 0), eventIdFor('cmd-10', 0)]);
    expect(ids.size).toBe(4);
  });

  it('are RFC 4122 version 5 UUIDs', () => {
    expect(eventIdFor('2c8f0b7e-order-77')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
