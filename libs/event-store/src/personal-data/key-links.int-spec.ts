import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createPool, migrate } from '#postgres';
import { createTestDatabase, testMasterKeys, type TestDatabase } from '#testing';
import { eventIdFor, type JsonObject, type NewEvent } from '../event.js';
import { eventStoreMigrations } from '../postgres/event-store.migrations.js';
import { PostgresEventStore } from '../postgres/postgres-event-store.js';
import { PostgresDataKeyStore } from './data-key-store.js';
import { isErased } from './erased.js';
import { PersonalDataEventStore } from './personal-data-event-store.js';
import { personalDataMigrations } from './personal-data.migrations.js';
import { PersonalDataPolicy } from './policy.js';

const customerOf = (data: JsonObject) => (typeof data.customerId === 'string' ? `customer-${data.customerId}` : undefined);

/** A person's data in streams other than theirs: a rep's task about them, the claim of their address, a visitor they were. */
const policy = new PersonalDataPolicy(
  {
    Registered: { personal: ['name'], notPersonal: ['visitorId'], keyLinks: (data, streamId) => (typeof data.visitorId === 'string' ? [{ subject: streamId, linked: `visitor-${data.visitorId}`, ownKey: true }] : []) },
    TaskAssigned: { personal: ['title'], notPersonal: ['taskId', 'customerId'], keyStream: customerOf },
    EmailClaimed: { personal: ['customerId'], keyLinks: (data, streamId) => [{ subject: customerOf(data) as string, linked: streamId, ownKey: true }] },
    Clicked: { personal: ['url'] },
  },
  { requireClassified: true },
);

const event = (type: string, data: JsonObject): NewEvent => {
  const commandId = randomUUID();
  return { id: eventIdFor(commandId), type, schemaVersion: 1, data, metadata: { actor: 'service:test', commandId, correlationId: commandId, causationId: commandId } };
};

describe('personal data kept in other streams than the person’s', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let keys: PostgresDataKeyStore;
  let store: PersonalDataEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url);
    await migrate(pool, eventStoreMigrations);
    await migrate(pool, personalDataMigrations);
    keys = new PostgresDataKeyStore({ connectionString: database.url, pool, masterKeys: testMasterKeys() });
    store = new PersonalDataEventStore(new PostgresEventStore({ connectionString: database.url, pool }), keys, policy);
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  const storedText = async (streamId: string) =>
    (await pool.query<{ data: string }>('select data::text as data from event_store.events where stream_id = $1', [streamId])).rows.map((row) => row.data).join('\n');

  it("encrypts a rep's task about a customer under the customer's key: erasing the customer blanks it, the rep's other tasks stay", async () => {
    const [customer, other, rep] = [randomUUID(), randomUUID(), `rep-${randomUUID()}`];
    await store.append(`customer-${customer}`, [event('Registered', { name: 'Ada Lovelace' })], 'no_stream');
    await store.append(`customer-${other}`, [event('Registered', { name: 'Grace Hopper' })], 'no_stream');
    await store.append(rep, [event('TaskAssigned', { taskId: 't1', customerId: customer, title: 'Call Ada about the renewal' })], 'any');
    await store.append(rep, [event('TaskAssigned', { taskId: 't2', customerId: other, title: 'Visit Grace' })], 'any');
    expect(await storedText(rep)).not.toMatch(/Ada|Grace/);
    expect((await keys.linkedStreams(`customer-${customer}`)).map((link) => link.linked)).toEqual([rep]);

    await keys.erase(`customer-${customer}`);
    await keys.seal(`customer-${customer}`);
    const [first, second] = await store.readStream(rep);
    expect(isErased(first.data.title)).toBe(true);
    expect(second.data.title).toBe('Visit Grace');
    // The link goes with the erasure; a later task about the erased person stores nothing of them.
    expect(await keys.linkedStreams(`customer-${customer}`)).toEqual([]);
    await store.append(rep, [event('TaskAssigned', { taskId: 't3', customerId: customer, title: 'Ada again' })], 'any');
    const [, , third] = await store.readStream(rep);
    expect(isErased(third.data.title)).toBe(true);
    expect(await storedText(rep)).not.toMatch(/Ada/);
  });

  it('erases the keys of the streams linked to the person, which then serve someone new', async () => {
    const [customer, claim, visitorId] = [randomUUID(), `email-claim-${randomUUID()}`, randomUUID()];
    await store.append(`visitor-${visitorId}`, [event('Clicked', { url: 'https://shop.example/?q=ada+lovelace' })], 'no_stream');
    await store.append(`customer-${customer}`, [event('Registered', { name: 'Ada', visitorId })], 'no_stream');
    await store.append(claim, [event('EmailClaimed', { customerId: customer })], 'no_stream');
    expect((await keys.linkedStreams(`customer-${customer}`)).map((link) => link.linked).sort()).toEqual([claim, `visitor-${visitorId}`].sort());

    await keys.erase(`customer-${customer}`);
    await keys.seal(`customer-${customer}`);
    const [claimed] = await store.readStream(claim);
    const [clicked] = await store.readStream(`visitor-${visitorId}`);
    expect(isErased(claimed.data.customerId)).toBe(true);
    expect(isErased(clicked.data.url)).toBe(true);

    // Erased, not sealed: the address can be claimed by a new customer, under a new key.
    const next = randomUUID();
    await store.append(claim, [event('EmailClaimed', { customerId: next })], 0);
    const [, reclaimed] = await store.readStream(claim);
    expect(reclaimed.data.customerId).toBe(next);
  });

  it('refuses an event with a string field the policy does not classify, and appends nothing', async () => {
    const rep = `rep-${randomUUID()}`;
    await expect(store.append(rep, [event('TaskAssigned', { taskId: 't', title: 'x', note: 'unlisted' })], 'no_stream')).rejects.toThrow(/TaskAssigned holds note/);
    await expect(store.append(rep, [event('Unknown', { a: 'b' })], 'no_stream')).rejects.toThrow(/Unknown holds a/);
    expect(await store.streamRevision(rep)).toBeNull();
  });
});
