import { createHmac } from 'node:crypto';
import { commandIdFor, type CommandContext } from '#commands';
import { WrongExpectedRevisionError, eventIdFor, type EventStore } from '#event-store';
import { EMAIL_CLAIM_EVENT_SCHEMA_VERSION, type EmailClaimedData } from './domain/index.js';

/**
 * E-mail claims: which customer an e-mail address belongs to, for lead capture's de-duplication.
 * Each address has a stream `email-claim-<HMAC-SHA256(secret, address)>` (no address in stream
 * names, and nobody without the secret can test an address against them). Its last event names
 * the customer, encrypted under the claim stream's own key, which the customer's erasure erases; the first is appended with expected revision `no_stream`, so of two submissions
 * racing with the same new address exactly one claims it and the other reads that claim.
 */
export const EMAIL_CLAIM_STREAM_PREFIX = 'email-claim-';
export const EMAIL_CLAIMED = 'EmailClaimed';
const SCHEMA_VERSION = EMAIL_CLAIM_EVENT_SCHEMA_VERSION.EmailClaimed;

export interface EmailClaim {
  /** `null` once that customer was erased: the claim's key went with them, and the address is free. */
  readonly customerId: string | null;
  /** The claim's revision in its stream: the expected revision of a claim replacing it. */
  readonly revision: number;
}

/** The form an address is compared in: Unicode NFC, trimmed, lower case (domains are case-insensitive, and in practice local parts too). */
export function normalizeEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}

export function emailClaimStream(secret: string, email: string): string {
  return EMAIL_CLAIM_STREAM_PREFIX + createHmac('sha256', secret).update(normalizeEmail(email), 'utf8').digest('hex');
}

export class EmailClaims {
  constructor(private readonly store: EventStore) {}

  /** The address's customer, or `null` while nobody claimed it. */
  async current(stream: string): Promise<EmailClaim | null> {
    const [last] = await this.store.readStream(stream, { direction: 'backwards', limit: 1 });
    if (last === undefined) return null;
    const { customerId } = last.data as { customerId?: unknown };
    return { customerId: typeof customerId === 'string' ? customerId : null, revision: last.revision };
  }

  /**
   * Claims the address for `customerId`, replacing the claim at `expected` (`no_stream`: the first
   * claim). Another writer's claim there first wins: then it is that one that is answered. The
   * event id is derived from the command and the expected revision, not from the stream, so a
   * command id reused for another address fails (duplicate event id) rather than claim it.
   */
  async claim(stream: string, expected: 'no_stream' | number, data: EmailClaimedData, context: CommandContext): Promise<EmailClaim> {
    const commandId = commandIdFor(context.commandId, `${EMAIL_CLAIMED}@${expected}`);
    const metadata = { actor: context.actor, commandId: context.commandId, correlationId: context.correlationId, causationId: context.causationId };
    try {
      const { revision } = await this.store.append(
        stream,
        [{ id: eventIdFor(commandId, 0), type: EMAIL_CLAIMED, schemaVersion: SCHEMA_VERSION, data: { ...data }, metadata }],
        expected,
      );
      return { customerId: data.customerId, revision };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      const winner = await this.current(stream);
      if (winner === null) throw error;
      return winner;
    }
  }
}
