import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { WrappedSecrets } from '#keys';
import { FormStore } from './form.store.js';

/** The e-mail HMAC key among the deployment's wrapped secrets. */
export const WRAPPED_EMAIL_SECRET = 'lead-capture/email-claim';

/**
 * The HMAC key of e-mail claim streams when LEAD_CAPTURE_EMAIL_SECRET is unset, kept wrapped by the
 * master key. The first migration generates it in the clear (lead_capture.secrets): it is copied
 * into the wrapped secrets, then deleted, in that order, so a crash in between repeats the copy and
 * processes starting together copy the same value. It stays the same key: addresses claimed before
 * are found again.
 */
export async function generatedEmailSecret(secrets: WrappedSecrets, forms: FormStore): Promise<string> {
  const plaintext = await forms.plaintextEmailSecret();
  // Text, as the migration made it (a hex string is its own HMAC key); a fresh one the same way.
  const secret = await secrets.secret(WRAPPED_EMAIL_SECRET, () => Buffer.from(plaintext ?? randomBytes(32).toString('hex'), 'utf8'));
  if (plaintext !== null) await forms.deletePlaintextEmailSecret();
  return secret.toString('utf8');
}

/** Run at every start, after the migrations (prepareDatabase): whatever apps a process runs, the key leaves the clear at once. */
export async function wrapGeneratedEmailSecret(pool: pg.Pool, secrets: WrappedSecrets): Promise<void> {
  await generatedEmailSecret(secrets, new FormStore(pool));
}
