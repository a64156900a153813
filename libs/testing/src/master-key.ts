import { createHash } from 'node:crypto';
import { MasterKey, MasterKeyring } from '#keys';

/**
 * The master key of everything tests start (CRM_MASTER_KEY, base64): fixed, so a test needs no key
 * file, and public, so never a deployment's.
 */
export const TEST_MASTER_KEY = createHash('sha256').update('crm test master key (public, tests only)').digest('base64');

/** A keyring holding {@link TEST_MASTER_KEY}, for stores a test builds itself. */
export function testMasterKeys(): MasterKeyring {
  return new MasterKeyring(new MasterKey(Buffer.from(TEST_MASTER_KEY, 'base64')));
}
