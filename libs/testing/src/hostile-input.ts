/**
 * Strings a hostile or careless client may send, each breaking the product's text rule in its own
 * way; and text that keeps the rule but is awkward for SQL, CSV, HTML and logs.
 */
export const RULE_BREAKING: Readonly<Record<string, string>> = {
  nul: 'before\u0000after',
  'lone high surrogate': 'x\ud800y',
  'lone low surrogate': '\udc00',
  'reversed pair': '\udc00\ud800',
  bell: 'ring\u0007',
  escape: '\u001b[31mred',
  delete: 'del\u007f',
  'c1 control': 'next\u0085line',
  backspace: 'a\bb',
};

/** Breaks only the single-line part of the rule. */
export const LINE_BREAKS: Readonly<Record<string, string>> = { 'line feed': 'first\nsecond', 'carriage return': 'a\rb', tab: 'a\tb' };

/** Keeps the rule: must be accepted as it is and reach every read model unharmed. */
export const AWKWARD_BUT_VALID = [
  "O'Brien; drop table customers; --",
  '=HYPERLINK("http://evil.example")',
  '<script>alert(1)</script>',
  '\\u0000 (an escape, not a NUL) \\ % _ *',
  'Zoë 李 محمد 🙂👍🏽 e\u0301 \u202eRTL\u202c \ufeffBOM \u200bzero-width \u2028sep',
];

/** Every string in the log the PostgreSQL event store can hold in plain (jsonb) fields: all but NUL and lone surrogates. */
export const JSONB_HOSTILE = ['\u0007\u001b[2J\u007f\u0085\u009f\b\f\v', ...AWKWARD_BUT_VALID].join(' | ');
/** What an encrypted field of the log can hold: anything at all. */
export const ANY_HOSTILE = [Object.values(RULE_BREAKING).join(''), JSONB_HOSTILE].join(' | ');

/** Deeply nested JSON: `{"a":{"a":...}}`, `depth` levels. */
export function nested(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
