import { customerDecider, type CustomerEvent, type CustomerState, type RecordFormSubmission, type RegisterCustomer, type Utm } from '#customers/domain';
import { type Decider } from '#domain';
import type { FormRecord } from './form.js';

/** A submission as validated: what the person filled in, and what the page said about where they came from. */
export interface LeadSubmission {
  readonly email: string;
  readonly name?: string;
  readonly phone?: string;
  readonly company?: string;
  /** Every standard and extra field filled in, as given (trimmed): the submission's record. */
  readonly fields: Readonly<Record<string, string>>;
  readonly campaignId?: string;
  readonly adId?: string;
  readonly affiliateSiteId?: string;
  readonly visitorId?: string;
  readonly utm?: Utm;
}

/** The commands a submission makes of a customer: their registration, should they be new, and the submission itself. */
export interface CaptureLead {
  readonly register: RegisterCustomer;
  readonly submission: RecordFormSubmission;
}

/** The commands for `customerId`, at `now`; the submission's id is `submissionId`. */
export function captureLead(form: FormRecord, lead: LeadSubmission, ids: { customerId: string; submissionId: string }, now: string): CaptureLead {
  // The page's attribution wins over the form's defaults: one form is often embedded in several campaigns.
  const attribution = {
    campaignId: lead.campaignId ?? form.campaignId ?? undefined,
    adId: lead.adId ?? form.adId ?? undefined,
    affiliateSiteId: lead.affiliateSiteId ?? form.affiliateSiteId ?? undefined,
  };
  return {
    register: {
      type: 'RegisterCustomer',
      customerId: ids.customerId,
      source: 'web_form',
      // The domain needs a name; a form that asks for none (a newsletter sign-up) names the lead by their address.
      contact: { name: lead.name ?? lead.email, email: lead.email, phone: lead.phone },
      company: lead.company === undefined ? undefined : { name: lead.company },
      visitorId: lead.visitorId,
      ...attribution,
      registeredAt: now,
    },
    submission: {
      type: 'RecordFormSubmission',
      customerId: ids.customerId,
      submissionId: ids.submissionId,
      formId: form.id,
      fields: { ...lead.fields },
      ...attribution,
      utm: lead.utm,
      visitorId: lead.visitorId,
      occurredAt: now,
    },
  };
}

/** The same commands, for another customer (the one the e-mail address turned out to belong to). */
export function forCustomer(lead: CaptureLead, customerId: string): CaptureLead {
  return { register: { ...lead.register, customerId }, submission: { ...lead.submission, customerId } };
}

/**
 * A lead on a customer stream: registers the customer unless the stream already holds them, then
 * records the submission, in one append. Deciding both together means a new lead is never left
 * registered without the submission that brought them; and of two submissions racing to register
 * the same new customer, the one appending second decides again and only records its submission.
 * The customer's own rules apply (customerDecider): an erased customer takes no submission.
 */
export const leadDecider: Decider<CaptureLead, CustomerEvent, CustomerState> = {
  initialState: customerDecider.initialState,
  evolve: customerDecider.evolve,
  decide({ register, submission }, state) {
    const registered = state.registered ? [] : customerDecider.decide(register, state);
    const after = registered.reduce(customerDecider.evolve, state);
    return [...registered, ...customerDecider.decide(submission, after)];
  },
};

/**
 * Throws the DomainError the domain would refuse this lead with as a new customer. Checked before
 * anything is appended, so that a refused lead leaves nothing behind, not even an e-mail claim.
 */
export function checkLead(lead: CaptureLead): void {
  leadDecider.decide(lead, leadDecider.initialState);
}
