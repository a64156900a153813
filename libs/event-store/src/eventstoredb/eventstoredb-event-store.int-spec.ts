import { describeEventStoreContract } from '../testing/event-store.contract.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

// No EventStoreDB server can be installed on the project's own machines: the contract runs against
// one only when EVENTSTORE_URL names it (e.g. the docker-compose service), and is reported as
// skipped, not passed, otherwise.
const url = process.env.EVENTSTORE_URL;

if (url) {
  describeEventStoreContract('EventStoreDB', async () => {
    const store = new EventStoreDbEventStore(url);
    return { store, teardown: () => store.close() };
  });
} else {
  console.warn('EventStore contract: EventStoreDB skipped: EVENTSTORE_URL is not set (no server to run it against)');
  describe.skip('EventStore contract: EventStoreDB (skipped: EVENTSTORE_URL is not set)', () => {
    it('runs the EventStore contract suite against an EventStoreDB server', () => undefined);
  });
}
