import { csvFormat, type CsvColumn } from '#http';
import type { CustomerProfile } from './directory.queries.js';

/** The export's columns, in order: header name and how a profile fills it. */
const COLUMNS: readonly CsvColumn<CustomerProfile>[] = [
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

const FORMAT = csvFormat(COLUMNS);

export const CSV_HEADER = FORMAT.header;

/** One customer as a CSV line (with its line ending); cells escaped by csvCell (CSV injection included). */
export const csvLine = FORMAT.line;
