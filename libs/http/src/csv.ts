/** RFC 4180 line ending. */
const EOL = '\r\n';

/** What a CSV cell may hold: text is escaped, numbers and booleans are written as they are, null is empty. */
export type CsvValue = string | number | boolean | null;

/** One column of a CSV representation: its header and how a row fills it. */
export type CsvColumn<T> = readonly [header: string, value: (row: T) => CsvValue];

/** A CSV representation of rows of type `T`: the header line and one line per row (each with its line ending). */
export interface CsvFormat<T> {
  readonly header: string;
  line(row: T): string;
}

export function csvFormat<T>(columns: readonly CsvColumn<T>[]): CsvFormat<T> {
  return {
    header: columns.map(([header]) => csvCell(header)).join(',') + EOL,
    line: (row) => columns.map(([, value]) => csvCell(value(row))).join(',') + EOL,
  };
}

/**
 * One cell. Text starting with `=`, `+`, `-`, `@`, tab or carriage return would be run as a
 * formula by spreadsheet programs (CSV injection): it gets a leading `'`, which they show as text.
 * Numbers are ours and are written as they are. Quotes, commas and line breaks are quoted.
 */
export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
