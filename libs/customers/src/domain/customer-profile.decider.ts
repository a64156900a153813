import { type CommandHandlers, distinctTags, integer, nonEmpty, oneOf, optionalEmail, optionalOneOf, optionalText, optionalTrimmed, requiredText, requiredTrimmed, sameJson, textFields, timestamp, violation } from '#domain';
import type { AssignOwner, ConvertLead, EraseCustomer, RegisterCustomer, UpdateProfile } from './customer.commands.js';
import {
  ADDRESS_FIELDS,
  AGE_BANDS,
  COMPANY_FIELDS,
  COMPANY_SIZES,
  CUSTOMER_SOURCES,
  CUSTOMER_STAGES,
  type Address,
  type Changes,
  type Contact,
  type ContactChanges,
  type CustomerEvent,
  type Demographics,
  type ProfileUpdatedData,
} from './customer.events.js';
import { clearable, mergeFields } from './customer.rules.js';
import type { CustomerState } from './customer.state.js';

/** Who the customer is: their profile, owner, stage; and their erasure. */
export type ProfileCommand = UpdateProfile | AssignOwner | ConvertLead | EraseCustomer;

export const PROFILE_COMMANDS: CommandHandlers<ProfileCommand, CustomerState, CustomerEvent> = {
  UpdateProfile: updateProfile,
  AssignOwner: assignOwner,
  ConvertLead: convertLead,
  EraseCustomer: eraseCustomer,
};

export function register(command: RegisterCustomer, state: CustomerState): CustomerEvent {
  if (state.erased) violation('customer_erased', `customer ${command.customerId} was erased`);
  if (state.registered) violation('customer_already_registered', `customer ${command.customerId} is already registered`, 'customerId');
  const registeredAt = timestamp(command.registeredAt, 'registeredAt');
  const contactInput = command.contact as RegisterCustomer['contact'] | undefined;
  if (typeof contactInput !== 'object' || contactInput === null) violation('name_required', 'contact.name is required', 'contact.name');
  const contact: Contact = {
    name: requiredTrimmed(contactInput.name, 'contact.name', 'name_required'),
    email: optionalEmail(contactInput.email, 'contact.email'),
    phone: optionalTrimmed(contactInput.phone, 'contact.phone'),
    address: nonEmpty(textFields(contactInput.address, ADDRESS_FIELDS, 'contact.address')),
  };
  return {
    type: 'CustomerRegistered',
    data: {
      customerId: requiredText(command.customerId, 'customerId'),
      stage: optionalOneOf(command.stage, CUSTOMER_STAGES, 'stage') ?? 'lead',
      source: oneOf(command.source, CUSTOMER_SOURCES, 'source'),
      contact,
      company: nonEmpty(textFields(command.company, COMPANY_FIELDS, 'company')),
      demographics: nonEmpty(demographics(command.demographics, 'demographics', registeredAt)),
      tags: distinctTags(command.tags, 'tags'),
      ownerRepId: optionalText(command.ownerRepId, 'ownerRepId'),
      visitorId: optionalText(command.visitorId, 'visitorId'),
      campaignId: optionalText(command.campaignId, 'campaignId'),
      adId: optionalText(command.adId, 'adId'),
      affiliateSiteId: optionalText(command.affiliateSiteId, 'affiliateSiteId'),
      registeredAt,
    },
  };
}

function updateProfile(command: UpdateProfile, state: CustomerState): CustomerEvent {
  const updatedAt = timestamp(command.updatedAt, 'updatedAt');
  const data: ProfileUpdatedData = { updatedAt };

  if (command.contact !== undefined && command.contact !== null) {
    const input = command.contact;
    const current: Partial<Contact> = state.contact ?? {};
    const changes: ContactChanges = {};
    if (input.name !== undefined) {
      const name = requiredTrimmed(input.name, 'contact.name', 'name_required');
      if (!sameJson(name, current.name)) changes.name = name;
    }
    if (input.email !== undefined) setChange(changes, 'email', optionalEmail(input.email, 'contact.email'), current.email);
    if (input.phone !== undefined) setChange(changes, 'phone', optionalTrimmed(input.phone, 'contact.phone'), current.phone);
    if (input.address !== undefined) {
      const address =
        input.address === null
          ? undefined
          : nonEmpty(mergeFields(plainAddress(current.address), textChanges(input.address, ADDRESS_FIELDS, 'contact.address')));
      setChange(changes, 'address', address, current.address);
    }
    if (Object.keys(changes).length > 0) data.contact = changes;
  }

  if (command.company !== undefined && command.company !== null) {
    const changes = diffFields(textChanges(command.company, COMPANY_FIELDS, 'company'), state.company ?? {});
    if (Object.keys(changes).length > 0) data.company = changes;
  }

  if (command.demographics !== undefined && command.demographics !== null) {
    const changes = diffFields(demographicChanges(command.demographics, updatedAt), state.demographics ?? {});
    if (Object.keys(changes).length > 0) data.demographics = changes;
  }

  if (command.tags !== undefined && command.tags !== null) {
    const tags = distinctTags(command.tags, 'tags');
    if (!sameJson(tags, state.tags)) data.tags = tags;
  }

  if (Object.keys(data).length === 1) violation('no_changes', 'the profile already holds these values');
  return { type: 'ProfileUpdated', data };
}

function assignOwner(command: AssignOwner, state: CustomerState): CustomerEvent {
  const repId = requiredText(command.repId, 'repId');
  const assignedAt = timestamp(command.assignedAt, 'assignedAt');
  if (repId === state.ownerRepId) violation('no_changes', `rep ${repId} already owns this customer`, 'repId');
  return { type: 'OwnerAssigned', data: { repId, previousRepId: state.ownerRepId ?? undefined, assignedAt } };
}

function convertLead(command: ConvertLead, state: CustomerState): CustomerEvent {
  const convertedAt = timestamp(command.convertedAt, 'convertedAt');
  if (state.stage === 'customer' || state.stage === null) violation('already_converted', 'already a customer');
  return { type: 'LeadConverted', data: { fromStage: state.stage, convertedAt } };
}

function eraseCustomer(command: EraseCustomer): CustomerEvent {
  return {
    type: 'CustomerErased',
    data: { erasedAt: timestamp(command.erasedAt, 'erasedAt'), reason: optionalText(command.reason, 'reason') },
  };
}

// ---- input helpers ----------------------------------------------------------------------------

/** A change set of named text fields: a value sets (trimmed), null or blank clears, absent keeps. */
function textChanges<K extends string>(input: unknown, keys: readonly K[], field: string): Partial<Record<K, string | null>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) violation('invalid_value', `${field} must be an object`, field);
  const result: Partial<Record<K, string | null>> = {};
  for (const key of keys) {
    const value = (input as Record<string, unknown>)[key];
    if (value !== undefined) result[key] = optionalTrimmed(value, `${field}.${key}`) ?? null;
  }
  return result;
}

function demographics(input: unknown, field: string, at: string): Demographics {
  if (input === undefined || input === null) return {};
  const changes = demographicChanges(input, at, field);
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== null)) as Demographics;
}

function demographicChanges(input: unknown, at: string, field = 'demographics'): Changes<Demographics> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) violation('invalid_value', `${field} must be an object`, field);
  const value = input as Record<string, unknown>;
  const changes: Changes<Demographics> = {};
  const latestYear = Number(at.slice(0, 4));
  if (value.birthYear !== undefined) {
    changes.birthYear = clearable(value.birthYear, (year) => {
      const birthYear = integer(year, `${field}.birthYear`, 1900);
      if (birthYear > latestYear) violation('invalid_value', `${field}.birthYear is in the future`, `${field}.birthYear`);
      return birthYear;
    });
  }
  if (value.ageBand !== undefined) changes.ageBand = clearable(value.ageBand, (v) => oneOf(v, AGE_BANDS, `${field}.ageBand`));
  if (value.companySize !== undefined) changes.companySize = clearable(value.companySize, (v) => oneOf(v, COMPANY_SIZES, `${field}.companySize`));
  for (const key of ['gender', 'region', 'industry'] as const) {
    if (value[key] !== undefined) changes[key] = optionalTrimmed(value[key], `${field}.${key}`) ?? null;
  }
  return changes;
}

/** The entries of `changes` that differ from `current` (a clear counts only if there is something to clear). */
function diffFields<T extends object>(changes: Changes<T>, current: Partial<T>): Changes<T> {
  const diff: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    const existing = (current as Record<string, unknown>)[key];
    if (value === null ? existing !== undefined : !sameJson(value, existing)) diff[key] = value;
  }
  return diff as Changes<T>;
}

/** Sets `changes[key]` to the new value, or to null when it clears a present one; nothing when unchanged. */
function setChange<K extends 'email' | 'phone' | 'address'>(changes: ContactChanges, key: K, next: Contact[K], current: Contact[K] | undefined): void {
  if (next === undefined) {
    if (current !== undefined) changes[key] = null;
  } else if (!sameJson(next, current)) {
    changes[key] = next;
  }
}

/** The current address if it is a readable one (after a key erasure it reads as `{ $erased: true }`). */
function plainAddress(address: Address | undefined): Address {
  if (address === undefined || Object.hasOwn(address, '$erased')) return {};
  return address;
}
