import { createHash, createHmac, timingSafeEqual, type Hash } from 'node:crypto';

/**
 * The tamper evidence of the event log, defined once for every store: each event's hash covers its
 * stored form and the previous event's hash in its stream; the global order is a chain over those
 * hashes, signed at checkpoints. PostgreSQL computes the same event hash in SQL
 * (`event_store.event_hash`, postgres/event-store.migrations.ts): change both or neither.
 */

/** The "previous hash" of a stream's first event. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** Marks the encoding, so a later change of what is hashed cannot be confused with this one. */
const EVENT_HASH_TAG = 'crm-event-hash/1';
const CHAIN_TAG = 'crm-log-chain/1';
const CHECKPOINT_TAG = 'crm-log-checkpoint/1';
const KEY_ID_TAG = 'crm-log-signing-key-id/1';

/** What an event's hash covers: the event as the store holds it (personal values as ciphertext). */
export interface HashedEventFields {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** The data's stored JSON text: PostgreSQL's jsonb text output, EventStoreDB's JSON body. */
  readonly data: string;
  /** The metadata's stored JSON text (EventStoreDB: without the hash keys themselves). */
  readonly metadata: string;
  /** The hash of the stream's previous event; {@link GENESIS_HASH} for revision 0. */
  readonly previousHash: Buffer;
}

/**
 * SHA-256 over an unambiguous encoding: the tag, the previous hash (32 bytes), revision (int8) and
 * schema version (int4) big-endian, then each text as its UTF-8 byte length (int4) and its bytes.
 */
export function eventHash(fields: HashedEventFields): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeBigInt64BE(BigInt(fields.revision), 0);
  fixed.writeInt32BE(fields.schemaVersion, 8);
  const hash = createHash('sha256');
  updateField(hash, EVENT_HASH_TAG);
  hash.update(fields.previousHash);
  hash.update(fixed);
  for (const text of [fields.streamId, fields.eventId, fields.type, fields.data, fields.metadata]) updateField(hash, text);
  return hash.digest();
}

// Verification hashes every event of the log: no copy of a text is made to prefix it.
const LENGTH = Buffer.alloc(4);

function updateField(hash: Hash, text: string): void {
  LENGTH.writeInt32BE(Buffer.byteLength(text, 'utf8'), 0);
  hash.update(LENGTH);
  hash.update(text, 'utf8');
}

/** The chain before the log's first event. */
export const CHAIN_START: Buffer = createHash('sha256').update(CHAIN_TAG).digest();

/** The global chain after one more event: SHA-256(chain so far || that event's hash). */
export function chainHash(previous: Buffer, eventHashValue: Buffer): Buffer {
  return createHash('sha256').update(previous).update(eventHashValue).digest();
}

/** A signed statement: "the first `events` events of the log, ending at `position`, chain to `chain`". */
export interface CheckpointClaim {
  /** Events chained, from the start of the log. */
  readonly events: number;
  /** The last one's position, serialised (`<major>-<minor>`). */
  readonly position: string;
  readonly chain: Buffer;
  readonly sealedAt: Date;
}

/** HMAC-SHA256 of the claim under the signing key (newline-separated: no field holds a newline). */
export function signCheckpoint(key: Buffer, claim: CheckpointClaim): Buffer {
  const text = [CHECKPOINT_TAG, String(claim.events), claim.position, claim.chain.toString('hex'), claim.sealedAt.toISOString()].join('\n');
  return createHmac('sha256', key).update(text).digest();
}

export function checkpointSignatureValid(key: Buffer, claim: CheckpointClaim, signature: Buffer): boolean {
  const expected = signCheckpoint(key, claim);
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}

/** Names a signing key without revealing it (8 bytes), so a checkpoint signed under another key is told apart from a forged one. */
export function signingKeyId(key: Buffer): Buffer {
  return createHmac('sha256', key).update(KEY_ID_TAG).digest().subarray(0, 8);
}
