/**
 * The product's one text rule, for every string a command, a query or an import carries: well-formed
 * Unicode (no lone UTF-16 surrogate), no NUL, and no other control character, except tab, CR and
 * LF in multi-line text. PostgreSQL can hold neither NUL nor a lone surrogate in text or jsonb, and
 * control characters are no person's input: refused at the edge (400) and again in the domain (422),
 * nothing the log holds can break a read model, a CSV export or a log line.
 */

/** Where text may span lines: notes, descriptions, reasons (tab, CR and LF allowed). */
export type TextKind = 'line' | 'multiline';

// With the `u` flag a well-formed surrogate pair is one code point: only a lone surrogate is \p{Cs}.
const FORBIDDEN: Readonly<Record<TextKind, RegExp>> = {
  line: /[\p{Cc}\p{Cs}]/u,
  multiline: /[\p{Cs}\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]/u,
};

/** Why `value` breaks the text rule (a phrase to follow the field's name), or undefined when it keeps it. */
export function textRuleBreach(value: string, kind: TextKind = 'multiline'): string | undefined {
  const match = FORBIDDEN[kind].exec(value);
  if (match === null) return undefined;
  const char = match[0];
  const at = `at index ${match.index}`;
  if (char === '\0') return `must not contain the NUL character (${at})`;
  const code = char.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdfff) return `must be well-formed Unicode: a lone surrogate U+${hex(code)} ${at}`;
  if (kind === 'line' && (char === '\t' || char === '\n' || char === '\r')) return `must be a single line: no tab or line break (${at})`;
  return `must not contain control characters: U+${hex(code)} ${at}`;
}

/** Whether `value` keeps the text rule. */
export function keepsTextRule(value: string, kind: TextKind = 'multiline'): boolean {
  return !FORBIDDEN[kind].test(value);
}

/** A string of the text at `field` (in a nested value) that breaks the rule, with why. */
export interface TextBreach {
  readonly field: string;
  readonly message: string;
}

/**
 * Every string in a JSON-like value, property names included, checked against the multi-line rule
 * (the one every text obeys); fields named by path (`lines.1.sku`, `body` at the top).
 */
export function textBreaches(value: unknown, field = ''): TextBreach[] {
  const breaches: TextBreach[] = [];
  const visit = (item: unknown, path: string) => {
    if (typeof item === 'string') {
      const why = textRuleBreach(item);
      if (why !== undefined) breaches.push({ field: path || 'body', message: `${path || 'body'} ${why}` });
      return;
    }
    if (typeof item !== 'object' || item === null) return;
    for (const [key, child] of Object.entries(item)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      const why = textRuleBreach(key);
      if (why !== undefined) breaches.push({ field: childPath, message: `the property name ${JSON.stringify(key)} ${why}` });
      visit(child, childPath);
    }
  };
  visit(value, field);
  return breaches;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
