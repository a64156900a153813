import type { EventStore } from './event-store.port.js';
import type { JsonObject, RecordedEvent } from './event.js';
import { START } from './position.js';
import { UpcasterRegistry, UpcastingEventStore } from './upcasting.js';

const recorded = (type: string, schemaVersion: number, data: JsonObject): RecordedEvent => ({
  id: '00000000-0000-5000-8000-000000000000',
  streamId: 'customer-1',
  revision: 0,
  position: START,
  type,
  schemaVersion,
  data,
  metadata: { actor: 'a', commandId: 'c', correlationId: 'c', causationId: 'c', recordedAt: new Date(0) },
});

// v1 had one `name`; v2 split it; v3 renamed `phone` to `phoneNumber`.
const registry = new UpcasterRegistry([
  {
    type: 'CustomerRegistered',
    fromVersion: 1,
    upcast: ({ name, ...rest }) => {
      const [firstName, ...others] = String(name).split(' ');
      return { ...rest, firstName, lastName: others.join(' ') };
    },
  },
  { type: 'CustomerRegistered', fromVersion: 2, upcast: ({ phone, ...rest }) => ({ ...rest, phoneNumber: phone ?? null }) },
]);

describe('upcasting', () => {
  it('chains upcasters from an old version to the current one', () => {
    const upcast = registry.upcast(recorded('CustomerRegistered', 1, { name: 'Ada King Lovelace', phone: '+44' }));
    expect(upcast.schemaVersion).toBe(3);
    expect(upcast.data).toEqual({ firstName: 'Ada', lastName: 'King Lovelace', phoneNumber: '+44' });
  });

  it('starts from the stored version', () => {
    const upcast = registry.upcast(recorded('CustomerRegistered', 2, { firstName: 'Ada', phone: '+44' }));
    expect(upcast).toMatchObject({ schemaVersion: 3, data: { firstName: 'Ada', phoneNumber: '+44' } });
  });

  it('leaves current versions and other types untouched', () => {
    const current = recorded('CustomerRegistered', 3, { firstName: 'Ada' });
    const other = recorded('CallLogged', 1, { minutes: 3 });
    expect(registry.upcast(current)).toBe(current);
    expect(registry.upcast(other)).toBe(other);
  });

  it('refuses two upcasters for the same version', () => {
    expect(() => registry.register({ type: 'CustomerRegistered', fromVersion: 1, upcast: (d) => d })).toThrow(/two upcasters/);
  });

  it('applies on every read path of the store it wraps', async () => {
    const old = recorded('CustomerRegistered', 1, { name: 'Grace Hopper' });
    const inner: Pick<EventStore, 'readStream' | 'readAll' | 'subscribeToAll'> = {
      readStream: async () => [old],
      readAll: async () => ({ events: [old], next: START }),
      async *subscribeToAll() {
        yield old;
      },
    };
    const store = new UpcastingEventStore(inner as EventStore, registry);
    const expected = { firstName: 'Grace', lastName: 'Hopper', phoneNumber: null };
    expect((await store.readStream('customer-1'))[0].data).toEqual(expected);
    expect((await store.readAll()).events[0].data).toEqual(expected);
    const streamed: JsonObject[] = [];
    for await (const event of store.subscribeToAll()) streamed.push(event.data);
    expect(streamed).toEqual([expected]);
  });
});
