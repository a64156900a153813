import type { CustomerEvent, CustomerRegisteredData } from '#customers/domain';
import type { RecordedEvent } from '#event-store';
import { textOrNull as text, textsOf } from '../shared/personal-values.js';

/** A directory row as the projection writes it (timestamps as ISO strings). */
export interface DirectoryRow {
  customer_id: string;
  revision: number;
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  stage: string;
  owner_rep_id: string | null;
  region: string | null;
  industry: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  converted_at: string | null;
  last_interaction_at: string | null;
  interactions: number;
  orders: number;
  revenue_minor: number;
  revenue_currency: string | null;
  erased: boolean;
}

/** ISO 4217 "no currency": revenue of orders in more than one currency. */
export const MIXED_CURRENCIES = 'XXX';

/**
 * The row after one more event of the customer, or the same object when the event changes nothing
 * (an event at or below the row's revision was applied already: a replay does not count twice).
 * `undefined` until the customer is registered.
 */
export function evolveDirectoryRow(row: DirectoryRow | undefined, customerId: string, event: RecordedEvent, customerEvent: CustomerEvent): DirectoryRow | undefined {
  if (customerEvent.type === 'CustomerRegistered') return row ?? registered(customerId, event, customerEvent.data);
  if (row === undefined || row.revision >= event.revision) return row;
  return { ...row, ...changesOf(row, customerEvent), revision: event.revision, updated_at: event.metadata.recordedAt.toISOString() };
}

function registered(customerId: string, event: RecordedEvent, data: CustomerRegisteredData): DirectoryRow {
  return {
    customer_id: customerId,
    revision: event.revision,
    name: text(data.contact.name),
    email: text(data.contact.email),
    phone: text(data.contact.phone),
    company: text(data.company?.name),
    stage: data.stage,
    owner_rep_id: data.ownerRepId ?? null,
    region: text(data.demographics?.region),
    industry: text(data.demographics?.industry),
    tags: textsOf(data.tags),
    created_at: data.registeredAt,
    updated_at: event.metadata.recordedAt.toISOString(),
    converted_at: null,
    last_interaction_at: null,
    interactions: 0,
    orders: 0,
    revenue_minor: 0,
    revenue_currency: null,
    erased: false,
  };
}

/** The columns an event changes (besides revision and updated_at). */
function changesOf(row: DirectoryRow, event: Exclude<CustomerEvent, { type: 'CustomerRegistered' }>): Partial<DirectoryRow> {
  switch (event.type) {
    case 'ProfileUpdated': {
      const { contact, company, demographics, tags } = event.data;
      return {
        ...change('name', contact?.name),
        ...change('email', contact?.email),
        ...change('phone', contact?.phone),
        ...change('company', company?.name),
        ...change('region', demographics?.region),
        ...change('industry', demographics?.industry),
        ...(tags === undefined ? {} : { tags: textsOf(tags) }),
      };
    }
    case 'OwnerAssigned':
      return { owner_rep_id: event.data.repId };
    case 'LeadConverted':
      return { stage: 'customer', converted_at: event.data.convertedAt };
    case 'CallLogged':
    case 'EmailLogged':
    case 'MeetingLogged':
    case 'LeadClickRecorded':
    case 'SiteVisitRecorded':
    case 'FormSubmissionRecorded':
      return { interactions: row.interactions + 1, last_interaction_at: latest(row.last_interaction_at, event.data.occurredAt) };
    case 'PurchaseRecorded': {
      const { totalMinor, currency, purchasedAt } = event.data;
      return {
        orders: row.orders + 1,
        revenue_minor: row.revenue_minor + totalMinor,
        revenue_currency: orderCurrency(row.revenue_currency, currency),
        last_interaction_at: latest(row.last_interaction_at, purchasedAt),
      };
    }
    case 'RefundRecorded':
      return { revenue_minor: row.revenue_minor - event.data.totalMinor, revenue_currency: orderCurrency(row.revenue_currency, event.data.currency) };
    case 'CustomerErased':
      // Stage, owner and totals stay: what a rebuild reads from the erased events.
      return { name: null, email: null, phone: null, company: null, region: null, industry: null, tags: [], erased: true };
    default:
      // Contracts, notes and documents: the row only records that the customer changed.
      return {};
  }
}

type ProfileColumn = 'name' | 'email' | 'phone' | 'company' | 'region' | 'industry';

/** A profile change: absent keeps the column, `null` clears it, an erased value reads as absent data (null). */
function change<K extends ProfileColumn>(column: K, value: unknown): Partial<Pick<DirectoryRow, K>> {
  if (value === undefined) return {};
  return { [column]: text(value) } as Partial<Pick<DirectoryRow, K>>;
}

/** The later of two instants (the first interaction sets it); events may arrive out of business-time order. */
function latest(current: string | null, at: string): string {
  return current === null || Date.parse(at) > Date.parse(current) ? at : current;
}

function orderCurrency(current: string | null, currency: string): string {
  return current === null || current === currency ? currency : MIXED_CURRENCIES;
}


