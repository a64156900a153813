import { type ContractChanges, type CustomerEvent, type DocumentKind, type ProfileUpdatedData } from '#customers/domain';
import type { JsonObject } from '#event-store';

/**
 * How a timeline row reads: one line of plain text per customer event. Pure: the projection stores
 * it, and recomputes it from scrubbed data when the customer is erased.
 *
 * Personal fields may hold `{"$erased": true}` instead of a string (events read after an erasure):
 * {@link personalText} treats anything but a string as absent, so a summary never shows them.
 */

/** Free text in a summary is cut to this many characters. */
const MAX_TEXT = 160;

/** The event's business time (when it happened, as the caller said), for ordering a customer's history. */
export function businessTime(event: CustomerEvent): string {
  switch (event.type) {
    case 'CustomerRegistered':
      return event.data.registeredAt;
    case 'ProfileUpdated':
      return event.data.updatedAt;
    case 'OwnerAssigned':
      return event.data.assignedAt;
    case 'LeadConverted':
      return event.data.convertedAt;
    case 'PurchaseRecorded':
      return event.data.purchasedAt;
    case 'RefundRecorded':
      return event.data.refundedAt;
    case 'ContractRecorded':
      return event.data.recordedAt;
    case 'ContractRevised':
      return event.data.revisedAt;
    case 'ContractTerminated':
      return event.data.terminatedAt;
    case 'FollowUpDue':
    case 'RepurchaseReminderDue':
      return event.data.dueAt;
    case 'NoteAdded':
      return event.data.addedAt;
    case 'DocumentAttached':
      return event.data.attachedAt;
    case 'CustomerErased':
      return event.data.erasedAt;
    default:
      return event.data.occurredAt;
  }
}

export function summarize(event: CustomerEvent): string {
  switch (event.type) {
    case 'CustomerRegistered': {
      const { data } = event;
      const who = [personalText(data.contact.name), personalText(data.company?.name)].filter((part) => part !== undefined).join(', ');
      return `Registered as ${data.stage} (${SOURCES[data.source]})${who === '' ? '' : `: ${who}`}`;
    }
    case 'ProfileUpdated':
      return `Profile updated: ${profileChanges(event.data).join(', ')}`;
    case 'OwnerAssigned': {
      const { repId, previousRepId } = event.data;
      return `Owner assigned: ${repId}${previousRepId === undefined ? '' : ` (was ${previousRepId})`}`;
    }
    case 'LeadConverted':
      return `Converted from ${event.data.fromStage} to customer`;
    case 'CallLogged': {
      const { data } = event;
      return withText(`${capitalize(data.direction)} call, ${duration(data.durationSeconds)}, ${words(data.outcome)}`, data.summary);
    }
    case 'EmailLogged': {
      const { data } = event;
      const subject = personalText(data.subject);
      return withText(`${capitalize(data.direction)} e-mail${subject === undefined ? '' : ` "${oneLine(subject)}"`}`, data.summary);
    }
    case 'MeetingLogged': {
      const { data } = event;
      const location = personalText(data.location);
      const head = `${capitalize(data.kind)}, ${duration(data.durationMinutes * 60)}${location === undefined ? '' : ` at ${oneLine(location)}`}`;
      return withText(head, data.summary);
    }
    case 'LeadClickRecorded': {
      const { data } = event;
      const url = personalText(data.url);
      return `${CLICK_KINDS[data.kind]} click${url === undefined ? '' : `: ${oneLine(url)}`}${data.campaignId === undefined ? '' : ` (campaign ${data.campaignId})`}`;
    }
    case 'SiteVisitRecorded': {
      const { data } = event;
      const extra = [
        data.pageCount === undefined ? undefined : plural(data.pageCount, 'page'),
        data.durationSeconds === undefined ? undefined : duration(data.durationSeconds),
      ].filter((part) => part !== undefined);
      const url = personalText(data.url);
      return [url === undefined ? 'Site visit' : `Site visit: ${oneLine(url)}`, ...extra].join(', ');
    }
    case 'FormSubmissionRecorded': {
      const { data } = event;
      // The field values are personal; how many there were is not, while they are readable.
      const fields: unknown = data.fields;
      const count = isPlainRecord(fields) && !isErasedValue(fields) ? ` (${plural(Object.keys(fields).length, 'field')})` : '';
      return `Form ${data.formId} submitted${count}`;
    }
    case 'PurchaseRecorded': {
      const { data } = event;
      const items = data.lines.reduce((sum, line) => sum + line.quantity, 0);
      return `Purchase ${data.orderId}: ${plural(items, 'item')}, ${money(data.totalMinor, data.currency)}`;
    }
    case 'RefundRecorded': {
      const { data } = event;
      const items = data.lines.reduce((sum, line) => sum + line.quantity, 0);
      const amount = [items > 0 ? plural(items, 'item') : undefined, money(data.totalMinor, data.currency)].filter((part) => part !== undefined);
      const reason = personalText(data.reason);
      return `Refund of order ${data.orderId}: ${amount.join(', ')}${reason === undefined ? '' : ` (${oneLine(reason)})`}`;
    }
    case 'ContractRecorded': {
      const { data } = event;
      const [vendorName, titleText] = [personalText(data.vendorName), personalText(data.title)];
      const what =
        data.kind === 'competitor' ? `Competitor contract ${data.contractId}${vendorName === undefined ? '' : ` with ${oneLine(vendorName)}`}` : `Contract ${data.contractId}`;
      const title = titleText === undefined ? '' : ` "${oneLine(titleText)}"`;
      const value = data.valueMinor === undefined || data.currency === undefined ? '' : `, ${money(data.valueMinor, data.currency)}`;
      return `${what}${title} recorded: ${data.startsOn} to ${data.endsOn}${value}`;
    }
    case 'ContractRevised': {
      const { data } = event;
      return `Contract ${data.contractId} revised (revision ${data.revision}): ${contractChanges(data.changes).join(', ')}`;
    }
    case 'ContractTerminated': {
      const { data } = event;
      return withText(`Contract ${data.contractId} terminated as of ${data.terminatedOn}`, data.reason);
    }
    case 'FollowUpDue': {
      const { data } = event;
      const task = data.repId === undefined ? 'no owner to assign a task to' : `task for rep ${data.repId}`;
      return `Follow-up due on ${data.dueOn} for contract ${data.contractId} (ends ${data.endsOn}): ${task}`;
    }
    case 'RepurchaseReminderDue': {
      const { data } = event;
      const task = data.repId === undefined ? 'no owner to assign a task to' : `task for rep ${data.repId}`;
      return `Repurchase overdue: expected on ${data.expectedOn} (every ${plural(data.medianIntervalDays, 'day')}, last on ${data.lastPurchaseOn}): ${task}`;
    }
    case 'NoteAdded': {
      const text = personalText(event.data.text);
      return text === undefined ? 'Note added' : `Note: ${oneLine(text)}`;
    }
    case 'DocumentAttached': {
      const { data } = event;
      const fileName = personalText(data.fileName);
      return `${DOCUMENT_KINDS[data.kind]} attached: ${fileName === undefined ? '' : `${oneLine(fileName)}, `}${size(data.sizeBytes)}`;
    }
    case 'CustomerErased':
      // The reason is left out: an operator may have written the person's name into it.
      return 'Personal data erased';
  }
}

/** A personal value as text: `undefined` when absent or erased (or anything but a string). */
function personalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isPlainRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErasedValue(value: JsonObject): boolean {
  return Object.keys(value).length === 1 && value.$erased === true;
}

const SOURCES = { manual: 'entered manually', web_form: 'web form', import: 'import', api: 'API' } as const;
const CLICK_KINDS = { ad: 'Ad', email_link: 'E-mail link', affiliate_link: 'Affiliate link' } as const;
const DOCUMENT_KINDS: Record<DocumentKind, string> = {
  proposal: 'Proposal',
  contract: 'Contract',
  contract_revision: 'Contract revision',
  invoice: 'Invoice',
  other: 'Document',
};

const PROFILE_LABELS = {
  contact: { name: 'name', email: 'e-mail', phone: 'phone', address: 'address' },
  company: { name: 'company', department: 'department', personInCharge: 'person in charge', title: 'title' },
  demographics: { birthYear: 'birth year', ageBand: 'age band', gender: 'gender', region: 'region', industry: 'industry', companySize: 'company size' },
} as const;

/** What a profile update changed, by field name only (values are often personal). */
function profileChanges(data: ProfileUpdatedData): string[] {
  const changes: string[] = [];
  for (const group of ['contact', 'company', 'demographics'] as const) {
    const given: object | undefined = data[group];
    if (given === undefined) continue;
    const labels: Record<string, string> = PROFILE_LABELS[group];
    for (const [field, value] of Object.entries(given) as [string, unknown][]) {
      if (value === undefined) continue;
      const label = labels[field] ?? field;
      changes.push(value === null ? `${label} cleared` : label);
    }
  }
  if (data.tags !== undefined) {
    const tags = data.tags.map(personalText).filter((tag) => tag !== undefined);
    changes.push(data.tags.length === 0 ? 'tags cleared' : tags.length === 0 ? 'tags' : `tags: ${tags.join(', ')}`);
  }
  return changes;
}

function contractChanges(changes: ContractChanges): string[] {
  const described: string[] = [];
  if (changes.startsOn !== undefined) described.push(`starts ${changes.startsOn}`);
  if (changes.endsOn !== undefined) described.push(`ends ${changes.endsOn}`);
  if (changes.valueMinor === null) described.push('value cleared');
  else if (changes.valueMinor !== undefined) {
    // Without the currency in the change the number of decimals is unknown: show minor units.
    described.push(typeof changes.currency === 'string' ? `value ${money(changes.valueMinor, changes.currency)}` : `value ${changes.valueMinor} minor units`);
  } else if (changes.currency !== undefined) described.push(changes.currency === null ? 'currency cleared' : `currency ${changes.currency}`);
  if (changes.terms !== undefined) described.push(changes.terms === null ? 'terms cleared' : 'terms changed');
  if (changes.followUpLeadDays !== undefined) {
    described.push(changes.followUpLeadDays === null ? 'follow-up cleared' : `follow-up ${plural(changes.followUpLeadDays, 'day')} before the end`);
  }
  return described;
}

/** `head: text` when the personal free text is readable, else `head`. */
function withText(head: string, text: unknown): string {
  const readable = personalText(text);
  return readable === undefined || readable.trim() === '' ? head : `${head}: ${oneLine(readable)}`;
}

/** Free text on one line, cut to {@link MAX_TEXT} characters. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= MAX_TEXT ? flat : `${chars.slice(0, MAX_TEXT - 1).join('')}…`;
}

/** An amount in minor units, exactly, with the currency's decimals: `EUR 59.97`, `JPY 1200`. */
export function money(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const units = String(Math.abs(minor)).padStart(digits + 1, '0');
  const amount = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  return `${currency} ${sign}${amount}`;
}

// Intl.NumberFormat is costly to build; a log holds few currencies.
const digitsByCurrency = new Map<string, number>();

function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      // Not a well-formed code (the domain validates them; this only keeps a summary from failing).
      digits = 2;
    }
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

function duration(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function words(code: string): string {
  return code.replaceAll('_', ' ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
