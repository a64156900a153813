import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { commandIdFor, runDecider, type CommandContext, type CommandOutcome } from '#commands';
import { customerStream } from '#customers/domain';
import { RuleViolationError } from '#domain';
import { schemaVersionOf } from '#event-catalog';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#providers';
import { captureLead, checkLead, forCustomer, leadDecider, type LeadSubmission } from './lead.js';
import type { EmailClaimedData } from './domain/index.js';
import { EmailClaims, emailClaimStream, normalizeEmail } from './email-claim.js';
import { type FormRecord } from './form.js';
import { KNOWN_CUSTOMERS, type KnownCustomers } from './known-customers.js';
import { EMAIL_SECRET } from './lead-capture.tokens.js';

/** A validated submission of a form, to become a lead (or a known customer's submission). */
export class CaptureLeadCommand extends Command<CommandOutcome> {
  constructor(
    readonly form: FormRecord,
    readonly submission: LeadSubmission,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Claims replaced after an erasure, at most, before giving up (each needs another erasure in between). */
const MAX_ATTEMPTS = 3;
/**
 * Appends to the customer's stream tried, at most, when other writers get there first. More than
 * commands usually get: a submission only adds to the stream, so losing a race to a burst of
 * submissions of one address is no reason to refuse a visitor's form.
 */
const MAX_APPEND_ATTEMPTS = 10;

/**
 * E-mail de-duplication. The address's claim stream (libs/lead-capture, email-claim.ts) says which
 * customer it belongs to; the first submission with an address claims it (expected revision
 * `no_stream`), so concurrent submissions of one new address agree on one customer. The
 * registration and the submission are then appended together to that customer's stream
 * (leadDecider), which registers them only if nobody did yet.
 *
 * Customers who did not come through a form (POST /customers, imports) have no claim: the first
 * submission with an address looks it up in the known customers (the app gives the customer-directory
 * read model) and claims it for the customer found there, the oldest if several. The trade-off: the directory is eventually
 * consistent, so a customer registered a moment before (not yet projected), or while the projector
 * is down, is not found and the submission registers a second customer. The alternative, claiming
 * the address in every registration, would make POST /customers, imports and profile changes of
 * e-mail addresses append to a second stream each (and refuse or merge duplicates that the API
 * deliberately allows today) and would still need the directory for the customers registered
 * before; lead capture is where duplicates hurt (anonymous, repeated, concurrent), so it pays.
 *
 * An erased customer's address is claimed anew by the next submission, which starts a new lead.
 *
 * Every id derives from the submission's command id: the new customer's, the events' (claim and
 * customer stream), so a retried submission appends nothing twice.
 */
@CommandHandler(CaptureLeadCommand)
export class CaptureLeadCommandHandler implements ICommandHandler<CaptureLeadCommand> {
  private readonly claims: EmailClaims;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EMAIL_SECRET) private readonly emailSecret: string,
    @Inject(KNOWN_CUSTOMERS) private readonly known: KnownCustomers,
  ) {
    this.claims = new EmailClaims(store);
  }

  async execute({ form, submission, context }: CaptureLeadCommand): Promise<CommandOutcome> {
    const now = new Date().toISOString();
    const newCustomerId = commandIdFor(context.commandId, 'customer');
    const lead = captureLead(form, submission, { customerId: newCustomerId, submissionId: context.commandId }, now);
    checkLead(lead);

    const stream = emailClaimStream(this.emailSecret, submission.email);
    let claim = await this.claims.current(stream);
    for (let attempt = 1; ; attempt++) {
      if (claim === null) claim = await this.claims.claim(stream, 'no_stream', await this.firstClaim(submission.email, newCustomerId, now), context);
      // The address's customer was erased (their erasure erased the claim's key): a new lead.
      else if (claim.customerId === null) claim = await this.claims.claim(stream, claim.revision, { customerId: newCustomerId, origin: 'after_erasure', claimedAt: now }, context);
      if (claim.customerId === null) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`the claim of this address was erased ${attempt} times while it was taken`);
        continue;
      }
      try {
        return await runDecider(this.store, leadDecider, customerStream(claim.customerId), forCustomer(lead, claim.customerId), context, {
          schemaVersionOf,
          maxAttempts: MAX_APPEND_ATTEMPTS,
        });
      } catch (error) {
        if (!isErased(error) || attempt >= MAX_ATTEMPTS) throw error;
        // Erased while the claim still read: the next round claims the address anew.
        claim = { customerId: null, revision: claim.revision };
      }
    }
  }

  /** Whom an address nobody claimed yet belongs to: a customer the directory knows by it, or the new lead. */
  private async firstClaim(email: string, newCustomerId: string, claimedAt: string): Promise<EmailClaimedData> {
    const known = await this.known.oldestByEmail(normalizeEmail(email));
    return known === undefined ? { customerId: newCustomerId, origin: 'new_lead', claimedAt } : { customerId: known, origin: 'existing_customer', claimedAt };
  }
}

function isErased(error: unknown): boolean {
  return error instanceof RuleViolationError && error.reason === 'customer_erased';
}
