import { eventTypeProblems, generateSecret, wantsEventType } from './webhook.subscription.js';

describe('webhook subscriptions', () => {
  it('wants the listed types only, or with "*" every domain event type', () => {
    expect(wantsEventType(['CallLogged'], 'CallLogged')).toBe(true);
    expect(wantsEventType(['CallLogged'], 'CustomerRegistered')).toBe(false);
    expect(wantsEventType(['*'], 'CustomerRegistered')).toBe(true);
    expect(wantsEventType(['*'], 'RepOnboarded')).toBe(true);
    // Lead capture's internal e-mail claims are no domain events.
    expect(wantsEventType(['*'], 'EmailClaimed')).toBe(false);
  });

  it('accepts known event types, or "*" alone', () => {
    expect(eventTypeProblems(['CustomerRegistered', 'CallLogged'])).toEqual([]);
    expect(eventTypeProblems(['*'])).toEqual([]);
  });

  it('names each unknown or repeated type by its index', () => {
    expect(eventTypeProblems(['CallLogged', 'CallLoged', 'CallLogged', 'EmailClaimed'])).toEqual([
      { field: 'eventTypes.1', message: '"CallLoged" is not an event type' },
      { field: 'eventTypes.2', message: 'CallLogged is listed twice' },
      { field: 'eventTypes.3', message: '"EmailClaimed" is not an event type' },
    ]);
  });

  it('refuses "*" beside other types', () => {
    expect(eventTypeProblems(['*', 'CallLogged'])).toEqual([{ field: 'eventTypes', message: '"*" (every event type) stands alone' }]);
  });

  it('generates distinct secrets of 256 random bits', () => {
    const secrets = new Set([generateSecret(), generateSecret()]);
    expect(secrets.size).toBe(2);
    for (const secret of secrets) expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});
