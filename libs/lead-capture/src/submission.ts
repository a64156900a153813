import type { IncomingMessage } from 'node:http';
import { isEmail } from 'class-validator';
import { checkInput, type FieldError, ID_PATTERN, ID_RULE, ProblemException, validationProblem } from '#http';
import { commandIdFor } from '#commands';
import { keepsTextRule } from '#domain';
import type { Utm } from '#customers/domain';
import { ATTRIBUTION_FIELDS, isConventionalField, STANDARD_FIELDS, UTM_PARAMETERS, type FormRecord, type StandardField } from './form.js';
import type { LeadSubmission } from './lead.js';
/** A submission's fields as sent, trimmed; blank ones left out (browsers send every input, filled or not). */
export type SubmittedValues = ReadonlyMap<string, string>;

const MAX_LENGTH: Readonly<Record<StandardField, number>> = { email: 254, name: 200, phone: 50, company: 200, message: 5000 };
const MAX_EXTRA_LENGTH = 2000;
const MAX_UTM_LENGTH = 200;
/** Digits and the usual separators, with at least three digits: `+44 20 7946 0000`, `(030) 123-45`. */
const PHONE = /^(?=(?:\D*\d){3})[0-9+()./ -]+$/;

/**
 * The body as an object: 415 when it was neither JSON nor form-encoded (no parser took it), 400
 * when it is not an object (a JSON array or string).
 */
export function submittedObject(body: unknown): Readonly<Record<string, unknown>> {
  if (body === undefined) {
    throw new ProblemException({
      type: 'about:blank',
      title: 'Unsupported Media Type',
      status: 415,
      detail: 'send the form as application/x-www-form-urlencoded or application/json',
    });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationProblem([{ field: 'body', message: 'the body must be an object of fields' }]);
  // Not routed through the validation pipe (the form's fields are its own): the same input rules here.
  checkInput(body);
  return body as Readonly<Record<string, unknown>>;
}

/** Each field a single text value (a repeated form field or a JSON number is refused, naming it). */
export function submittedValues(body: Readonly<Record<string, unknown>>): SubmittedValues {
  const errors: FieldError[] = [];
  const values = new Map<string, string>();
  for (const [field, value] of Object.entries(body)) {
    if (value === null) continue;
    if (typeof value !== 'string') errors.push({ field, message: `${field} must be a single text value` });
    else if (value.trim() !== '') values.set(field, value.trim());
  }
  if (errors.length > 0) throw validationProblem(errors);
  return values;
}

/**
 * The submission the form's conventions make of the values (see FormDefinition): a 400 naming
 * every field that is unknown to the form, missing, too long or malformed.
 */
export function parseSubmission(form: FormRecord, values: SubmittedValues): LeadSubmission {
  const errors: FieldError[] = [];
  const check = (field: string, valid: (value: string) => boolean, message: string) => {
    const value = values.get(field);
    if (value !== undefined && !valid(value)) errors.push({ field, message });
  };

  for (const field of values.keys()) {
    const known = field === form.honeypotField || isConventionalField(field) || form.fields.includes(field);
    if (!known) errors.push({ field, message: `${field} is not a field of this form` });
  }
  for (const field of new Set(['email', ...form.requiredFields])) {
    if (!values.has(field)) errors.push({ field, message: `${field} is required` });
  }
  for (const field of STANDARD_FIELDS) check(field, (value) => value.length <= MAX_LENGTH[field], `${field} must be at most ${MAX_LENGTH[field]} characters`);
  for (const field of form.fields) check(field, (value) => value.length <= MAX_EXTRA_LENGTH, `${field} must be at most ${MAX_EXTRA_LENGTH} characters`);
  for (const field of Object.keys(UTM_PARAMETERS)) check(field, (value) => value.length <= MAX_UTM_LENGTH, `${field} must be at most ${MAX_UTM_LENGTH} characters`);
  for (const field of [...ATTRIBUTION_FIELDS, 'visitorId']) check(field, (value) => ID_PATTERN.test(value), `${field} must be ${ID_RULE}`);
  // A form's message and its own fields may be text areas; the conventional ones are single lines.
  for (const field of values.keys()) {
    if (field !== 'message' && !form.fields.includes(field)) check(field, (value) => keepsTextRule(value, 'line'), `${field} must be a single line: no tab or line break`);
  }
  check('email', (value) => isEmail(value), 'email must be an e-mail address');
  check('phone', (value) => PHONE.test(value), 'phone must be a phone number (digits, spaces and + ( ) . / -)');
  if (errors.length > 0) throw validationProblem(errors);

  const recorded = [...STANDARD_FIELDS, ...form.fields].filter((field) => values.has(field));
  const utm: Utm = Object.fromEntries(
    Object.entries(UTM_PARAMETERS).flatMap(([parameter, key]) => (values.has(parameter) ? [[key, values.get(parameter)]] : [])),
  );
  return {
    email: values.get('email') as string,
    name: values.get('name'),
    phone: values.get('phone'),
    company: values.get('company'),
    fields: Object.fromEntries(recorded.map((field) => [field, values.get(field) as string])),
    campaignId: values.get('campaignId'),
    adId: values.get('adId'),
    affiliateSiteId: values.get('affiliateSiteId'),
    visitorId: values.get('visitorId'),
    utm: Object.keys(utm).length > 0 ? utm : undefined,
  };
}

/**
 * The submission's command id, from which every id it produces is derived (its events', the new
 * customer's): from the Idempotency-Key when the page sends one; otherwise from what was submitted
 * and the day (UTC), so that a double click or a browser's resend records the submission once,
 * while the same person sending the same form again another day is recorded again.
 */
export function submissionCommandId(form: FormRecord, values: SubmittedValues, idempotencyKey: string | undefined, now: Date): string {
  const content = () => `${now.toISOString().slice(0, 10)}\n${JSON.stringify([...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  return commandIdFor(`form:${form.id}`, idempotencyKey !== undefined ? `key:${idempotencyKey}` : `content:${content()}`);
}

/**
 * The client's address: the peer's, or with `trustedProxies` reverse proxies in front, the one the
 * outermost of them saw (X-Forwarded-For read from the right, as each proxy appends its peer).
 */
export function clientAddress(request: IncomingMessage, trustedProxies: number): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  const header = request.headers['x-forwarded-for'];
  const forwarded = (typeof header === 'string' ? header.split(',') : []).map((address) => address.trim()).filter(Boolean);
  const nearestFirst = [peer, ...forwarded.reverse()];
  return nearestFirst[Math.min(trustedProxies, nearestFirst.length - 1)];
}
