import { createHash } from 'node:crypto';
import { CHAIN_START, GENESIS_HASH, chainHash, checkpointSignatureValid, eventHash, signCheckpoint, signingKeyId, type HashedEventFields } from './log-hash.js';

const fields: HashedEventFields = {
  streamId: 'customer-1',
  revision: 3,
  eventId: '0b6f5f1e-6a43-5f7e-9d0c-2b1e3f4a5c6d',
  type: 'NoteAdded',
  schemaVersion: 1,
  data: '{"text": "Zoë\\nsecond line"}',
  metadata: '{"actor": "webshop"}',
  previousHash: GENESIS_HASH,
};

describe('the log hashes', () => {
  it('hash an event over its length-prefixed fields, as the SQL of the PostgreSQL store does', () => {
    const field = (text: string) => {
      const bytes = Buffer.from(text, 'utf8');
      return Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
    };
    const expected = createHash('sha256')
      .update(field('crm-event-hash/1'))
      .update(GENESIS_HASH)
      .update(Buffer.from([0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1]))
      .update(Buffer.concat([fields.streamId, fields.eventId, fields.type, fields.data, fields.metadata].map(field)))
      .digest();
    expect(eventHash(fields)).toEqual(expected);
  });

  it.each<[string, Partial<HashedEventFields>]>([
    ['stream', { streamId: 'customer-2' }],
    ['revision', { revision: 4 }],
    ['event id', { eventId: '0b6f5f1e-6a43-5f7e-9d0c-2b1e3f4a5c6e' }],
    ['type', { type: 'NoteEdited' }],
    ['schema version', { schemaVersion: 2 }],
    ['data', { data: '{"text": "Zoe\\nsecond line"}' }],
    ['metadata', { metadata: '{"actor": "webshop2"}' }],
    ['previous hash', { previousHash: Buffer.alloc(32, 1) }],
    // Moving text from one field to the next changes the lengths, so the hash.
    ['field boundary', { type: 'NoteAdded{', data: '"text": "Zoë\\nsecond line"}' }],
  ])('change with the %s', (_, change) => {
    expect(eventHash({ ...fields, ...change })).not.toEqual(eventHash(fields));
  });

  it('chain the global order and sign checkpoints that only the key verifies', () => {
    const chain = chainHash(chainHash(CHAIN_START, eventHash(fields)), GENESIS_HASH);
    expect(chain).not.toEqual(chainHash(chainHash(CHAIN_START, GENESIS_HASH), eventHash(fields)));
    const key = Buffer.alloc(32, 9);
    const claim = { events: 2, position: '100-7', chain, sealedAt: new Date('2026-12-07T12:00:00.000Z') };
    const signature = signCheckpoint(key, claim);
    expect(checkpointSignatureValid(key, claim, signature)).toBe(true);
    expect(checkpointSignatureValid(key, { ...claim, events: 3 }, signature)).toBe(false);
    expect(checkpointSignatureValid(Buffer.alloc(32, 8), claim, signature)).toBe(false);
    expect(checkpointSignatureValid(key, claim, signature.subarray(0, 16))).toBe(false);
    expect(signingKeyId(key)).toHaveLength(8);
    expect(signingKeyId(key)).not.toEqual(signingKeyId(Buffer.alloc(32, 8)));
  });
});
