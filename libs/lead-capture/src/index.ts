export {
  ATTRIBUTION_FIELDS,
  DEFAULT_HONEYPOT_FIELD,
  FIELD_NAME_PATTERN,
  FIELD_NAME_RULE,
  formDefinitionProblems,
  isConventionalField,
  MAX_EXTRA_FIELDS,
  STANDARD_FIELDS,
  TRACKING_FIELDS,
  UTM_PARAMETERS,
  type FormDefinition,
  type FormRecord,
  type StandardField,
} from './form.js';
export { EMAIL_CLAIM_STREAM_PREFIX, EMAIL_CLAIMED } from './email-claim.js';
export { leadCaptureMigrations } from './lead-capture.migrations.js';
export { wrapGeneratedEmailSecret } from './email-secret.js';
export { FormsModule } from './lead-capture.module.js';
export { useSubmissionHttp } from './submission-http.js';
export type { KnownCustomers } from './known-customers.js';
