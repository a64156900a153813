// What PostgreSQL cannot store in text or jsonb: NUL, and lone UTF-16 surrogates (jsonb refuses
// their escapes). With the `u` flag a well-formed surrogate pair is one code point: only a lone
// surrogate is \p{Cs}.
const UNSTORABLE = /[\0\p{Cs}]/u;
const UNSTORABLE_ALL = /[\0\p{Cs}]/gu;

/**
 * `value` with every string (property names too) storable in PostgreSQL: NUL and lone surrogates
 * become U+FFFD; `value` itself when nothing needed replacing. For the read models, which must
 * apply whatever the log holds (events from before the product's text rule, or from another
 * writer): a projection must never be stoppable by data a client chose.
 */
export function storableText<T>(value: T): T {
  if (typeof value === 'string') return (UNSTORABLE.test(value) ? value.replace(UNSTORABLE_ALL, '\uFFFD') : value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items = value.map(storableText);
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const [safeKey, safeItem] = [storableText(key), storableText(item)];
    if (safeKey !== key || safeItem !== item) changed = true;
    return [safeKey, safeItem] as const;
  });
  // fromEntries defines own properties: a key such as `__proto__` stays data.
  return (changed ? Object.fromEntries(entries) : value) as T;
}
