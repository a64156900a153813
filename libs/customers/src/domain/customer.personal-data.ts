import type { CustomerEventType } from './customer.events.js';

const PROFILE_FIELDS = ['contact.name', 'contact.email', 'contact.phone', 'contact.address', 'company.personInCharge'] as const;

/**
 * The personal fields of each customer event type, as field paths (`contact.email`; `lines[].x` for
 * every element of an array): encrypted under the customer's data key, so erasing the key makes
 * them unreadable. Use with `new PersonalDataPolicy(customerPersonalData)`. A path may address an
 * object (`contact.address`, `fields`): the whole value is encrypted as one.
 */
export const customerPersonalData = {
  CustomerRegistered: PROFILE_FIELDS,
  ProfileUpdated: PROFILE_FIELDS,
  CallLogged: ['summary'],
  EmailLogged: ['subject', 'summary'],
  MeetingLogged: ['location', 'summary'],
  FormSubmissionRecorded: ['fields'],
  PurchaseRecorded: ['specialInstructions'],
  NoteAdded: ['text'],
  DocumentAttached: ['fileName'],
} as const satisfies Partial<Record<CustomerEventType, readonly string[]>>;
