import { randomBytes } from 'node:crypto';

/**
 * A lead-capture form. Its fields follow one convention rather than a per-form mapping:
 * - standard fields, known to every form: `email` (always required: it identifies the lead),
 *   `name`, `phone`, `company` (they fill the customer's profile) and `message`;
 * - tracking fields, known to every form: `campaignId`, `adId`, `affiliateSiteId` (override the
 *   form's defaults), `visitorId` (the ad tracker's anonymous visitor) and `utm_source`,
 *   `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`;
 * - the form's own extra fields (`fields`), recorded with the submission only;
 * - the honeypot field, hidden from people: bots fill it in.
 * Any other field is refused.
 */
export interface FormDefinition {
  readonly name: string;
  /** Extra fields the form accepts besides the standard and tracking ones. */
  readonly fields: readonly string[];
  /** Fields a submission must fill, among the standard and extra ones (`email` always is). */
  readonly requiredFields: readonly string[];
  readonly honeypotField: string;
  /** Attribution of the form's leads unless a submission names its own. */
  readonly campaignId: string | null;
  readonly adId: string | null;
  readonly affiliateSiteId: string | null;
  /** Where a browser posting the form (form-encoded) is sent afterwards (303); `null`: a JSON answer. */
  readonly successUrl: string | null;
}

export interface FormRecord extends FormDefinition {
  readonly id: string;
  /** The public key in the submission URL: meant to be embedded in web pages, so no secret. */
  readonly key: string;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
}

export const STANDARD_FIELDS = ['email', 'name', 'phone', 'company', 'message'] as const;
export type StandardField = (typeof STANDARD_FIELDS)[number];

/** The UTM fields of a form (named as in landing-page URLs) and the key each has in the domain's Utm. */
export const UTM_PARAMETERS = { utm_source: 'source', utm_medium: 'medium', utm_campaign: 'campaign', utm_term: 'term', utm_content: 'content' } as const;
export const ATTRIBUTION_FIELDS = ['campaignId', 'adId', 'affiliateSiteId'] as const;
export const TRACKING_FIELDS = [...ATTRIBUTION_FIELDS, 'visitorId', ...(Object.keys(UTM_PARAMETERS) as (keyof typeof UTM_PARAMETERS)[])] as const;

/** Names of extra fields and of the honeypot: safe in a field path (`fields.size`) and an HTML form. */
export const FIELD_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const FIELD_NAME_RULE = "1 to 64 letters, digits, '_' or '-', starting with a letter";
export const MAX_EXTRA_FIELDS = 50;

/** Named like a field a form-filling bot cannot resist, and unlike any standard one. */
export const DEFAULT_HONEYPOT_FIELD = 'website';

const CONVENTIONAL: ReadonlySet<string> = new Set([...STANDARD_FIELDS, ...TRACKING_FIELDS]);

/** Whether every form accepts this field (a standard or tracking one). */
export function isConventionalField(name: string): boolean {
  return CONVENTIONAL.has(name);
}

/** Keys look like `form_` and 22 base64url characters (128 random bits): unguessable, so forms cannot be enumerated. */
export const FORM_KEY_PATTERN = /^form_[A-Za-z0-9_-]{22}$/;

export function generateFormKey(): string {
  return `form_${randomBytes(16).toString('base64url')}`;
}

/** What is wrong with a definition beyond its fields' own formats (which the HTTP layer checks), per field. */
export function formDefinitionProblems(form: Pick<FormDefinition, 'fields' | 'requiredFields' | 'honeypotField'>): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  form.fields.forEach((name, i) => {
    if (isConventionalField(name)) problems.push({ field: `fields.${i}`, message: `${name} is a standard or tracking field: every form accepts it` });
    else if (seen.has(name)) problems.push({ field: `fields.${i}`, message: `${name} is listed twice` });
    seen.add(name);
  });
  form.requiredFields.forEach((name, i) => {
    const known = (STANDARD_FIELDS as readonly string[]).includes(name) || form.fields.includes(name);
    if (!known) problems.push({ field: `requiredFields.${i}`, message: `${name} is neither a standard field nor one of the form's fields` });
  });
  if (isConventionalField(form.honeypotField) || form.fields.includes(form.honeypotField)) {
    problems.push({ field: 'honeypotField', message: `${form.honeypotField} is a field people fill in; the honeypot needs a name of its own` });
  }
  return problems;
}
