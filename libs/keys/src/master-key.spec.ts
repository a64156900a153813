import { randomBytes } from 'node:crypto';
import { MasterKey, MasterKeyring, UnknownMasterKeyError, UnwrapError, wrapContext } from './master-key.js';
import { unwrapRow, wrapRow, type WrappedTable } from './wrapped-table.js';

const KEYS: WrappedTable = {
  table: 'test.keys',
  rowKey: ['stream_id', 'generation'],
  purpose: 'test key',
  wrapped: 'wrapped',
  wrappedBy: 'wrapped_by',
  describe: ([stream, generation]) => `the key of ${stream} (generation ${generation})`,
};

describe('master key wrapping', () => {
  const bytes = randomBytes(32);
  const master = new MasterKey(bytes);
  const dataKey = randomBytes(32);
  const context = wrapContext('personal-data key', ['customer-1', '1']);

  it('round-trips a value, with a fresh IV each time', () => {
    const first = master.wrap(dataKey, context);
    const second = master.wrap(dataKey, context);
    expect(master.unwrap(first, context)).toEqual(dataKey);
    expect(first).not.toEqual(second);
    expect(first.length).toBe(1 + 12 + 16 + 32);
    expect(first.includes(dataKey)).toBe(false);
  });

  it('refuses to unwrap under another master key', () => {
    const wrapped = master.wrap(dataKey, context);
    expect(() => new MasterKey(randomBytes(32)).unwrap(wrapped, context)).toThrow(UnwrapError);
  });

  it('refuses a value moved to another row, or read as another kind of value', () => {
    const wrapped = wrapRow(KEYS, master, ['customer-1', '1'], dataKey);
    const keyring = new MasterKeyring(master);
    expect(unwrapRow(KEYS, keyring, ['customer-1', '1'], master.id, wrapped)).toEqual(dataKey);
    expect(() => unwrapRow(KEYS, keyring, ['customer-2', '1'], master.id, wrapped)).toThrow(/the key of customer-2 \(generation 1\): wrapped value fails authentication/);
    expect(() => unwrapRow(KEYS, keyring, ['customer-1', '2'], master.id, wrapped)).toThrow(UnwrapError);
    expect(() => unwrapRow({ ...KEYS, purpose: 'secret' }, keyring, ['customer-1', '1'], master.id, wrapped)).toThrow(UnwrapError);
    // The parts are framed: a stream id cannot absorb the generation.
    expect(wrapContext('p', ['a', 'b'])).not.toEqual(wrapContext('p', ['a,b']));
  });

  it('refuses a tampered or malformed value', () => {
    const wrapped = master.wrap(dataKey, context);
    for (const index of [0, 1, 13, 29, wrapped.length - 1]) {
      const tampered = Buffer.from(wrapped);
      tampered[index] ^= 1;
      expect(() => master.unwrap(tampered, context)).toThrow(UnwrapError);
    }
    expect(() => master.unwrap(wrapped.subarray(0, 20), context)).toThrow(/malformed wrapped value/);
  });

  it('names each key by an id that is stable, distinct and no part of the key', () => {
    expect(new MasterKey(Buffer.from(bytes)).id).toBe(master.id);
    expect(master.id).toMatch(/^[0-9a-f]{16}$/);
    expect(new MasterKey(randomBytes(32)).id).not.toBe(master.id);
    expect(bytes.toString('hex')).not.toContain(master.id);
    expect(() => new MasterKey(randomBytes(16))).toThrow(RangeError);
  });

  it('unwraps with whichever key of the keyring a row names, and says which it lacks', () => {
    const previous = new MasterKey(randomBytes(32));
    const stranger = new MasterKey(randomBytes(32));
    const keyring = new MasterKeyring(master, [previous]);
    expect(keyring.ids).toEqual([master.id, previous.id]);
    expect(keyring.unwrap(previous.id, previous.wrap(dataKey, context), context, 'a row')).toEqual(dataKey);
    expect(() => keyring.unwrap(stranger.id, stranger.wrap(dataKey, context), context, 'the key of customer-1')).toThrow(UnknownMasterKeyError);
    expect(() => keyring.key(stranger.id, 'the key of customer-1')).toThrow(
      `the key of customer-1 is wrapped by master key ${stranger.id}, which is not configured (this process holds ${master.id} and ${previous.id})`,
    );
    expect(keyring.alsoReading(stranger).ids).toEqual([master.id, previous.id, stranger.id]);
    expect(new MasterKeyring(master, [master]).ids).toEqual([master.id]);
  });
});
