/** Something that applies from a calendar day on until a later one replaces it: a commission plan, a price. */
export interface EffectiveDated {
  /** Calendar date (`YYYY-MM-DD`), inclusive. */
  readonly effectiveFrom: string;
}

/**
 * The entry in force on `date`: the latest `effectiveFrom` on or before it; of entries with the
 * same date, the one seen last. `entries` are in log order, so a rebuild picks the same entry.
 */
export function inForceOn<T extends EffectiveDated>(entries: readonly T[], date: string): T | undefined {
  let inForce: T | undefined;
  for (const entry of entries) {
    if (entry.effectiveFrom <= date && (inForce === undefined || entry.effectiveFrom >= inForce.effectiveFrom)) inForce = entry;
  }
  return inForce;
}
