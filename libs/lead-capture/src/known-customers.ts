/**
 * Who already has an address, for a first submission with it (customers registered through
 * POST /customers or imports carry no e-mail claim). The app supplies it from a read model:
 * lead capture is a context and does not reach into projections/.
 */
export interface KnownCustomers {
  /** The oldest customer, not erased, known by this address (case-insensitive); none when there is none or nothing is built yet. */
  oldestByEmail(email: string): Promise<string | undefined>;
}

export const KNOWN_CUSTOMERS = Symbol('KNOWN_CUSTOMERS');
