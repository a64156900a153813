import type { CustomerProfile } from './directory.queries.js';

/** The export's columns, in order: header name and how a profile fills it. */
const COLUMNS: readonly [string, (profile: CustomerProfile) => string | number | boolean | null][] = [
  ['customer_id', (p) => p.customerId],
  ['name', (p) => p.name],
  ['email', (p) => p.email],
  ['phone', (p) => p.phone],
  ['company', (p) => p.company],
  ['stage', (p) => p.stage],
  ['owner_rep_id', (p) => p.ownerRepId],
  ['region', (p) => p.region],
  ['industry', (p) => p.industry],
  // Tags may themselves hold ";": a reader splitting on it can be fooled; the cell stays intact.
  ['tags', (p) => p.tags.join(';')],
  ['created_at', (p) => p.createdAt],
  ['updated_at', (p) => p.updatedAt],
  ['converted_at', (p) => p.convertedAt],
  ['last_interaction_at', (p) => p.lastInteractionAt],
  ['interactions', (p) => p.interactions],
  ['orders', (p) => p.orders],
  ['revenue_minor', (p) => p.revenueMinor],
  ['revenue_currency', (p) => p.revenueCurrency],
  ['erased', (p) => p.erased],
];

/** RFC 4180 line ending. */
const EOL = '\r\n';

export const CSV_HEADER = COLUMNS.map(([name]) => name).join(',') + EOL;

/** One customer as a CSV line (with its line ending). */
export function csvLine(profile: CustomerProfile): string {
  return COLUMNS.map(([, value]) => csvCell(value(profile))).join(',') + EOL;
}

/**
 * One cell. Text starting with `=`, `+`, `-`, `@`, tab or carriage return would be run as a
 * formula by spreadsheet programs (CSV injection): it gets a leading `'`, which they show as text.
 * Numbers are ours and are written as they are. Quotes, commas and line breaks are quoted.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
