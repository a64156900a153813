import { declarePersonalData } from '#domain';

/**
 * Events of an e-mail claim stream (`email-claim-<HMAC of the address>`): which customer an
 * address belongs to, for lead capture's de-duplication.
 */

/**
 * - `new_lead`: the submission registers the customer;
 * - `existing_customer`: the address was a known customer's (found in the customer directory);
 * - `after_erasure`: the address's customer was erased, and the next submission starts a new lead.
 */
export type ClaimOrigin = 'new_lead' | 'existing_customer' | 'after_erasure';

export interface EmailClaimedData {
  readonly customerId: string;
  readonly origin: ClaimOrigin;
  readonly claimedAt: string;
}

export type EmailClaimEvent = { type: 'EmailClaimed'; data: EmailClaimedData };

export const EMAIL_CLAIM_EVENT_SCHEMA_VERSION = { EmailClaimed: 1 } as const satisfies Record<EmailClaimEvent['type'], number>;

/**
 * The customer id is personal here, under the claim stream's own key: erasing the customer erases
 * that key, which removes the link from the address to them while the event stays in the log.
 */
export const emailClaimPersonalData = declarePersonalData<EmailClaimEvent>()({
  EmailClaimed: { personal: ['customerId'], notPersonal: ['origin', 'claimedAt'], erasedWith: { field: 'customerId', stream: 'customer' } },
});
