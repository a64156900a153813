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
export { FormStore } from './form.store.js';
export { EMAIL_CLAIM_STREAM_PREFIX, EMAIL_CLAIMED, EmailClaims, emailClaimStream, normalizeEmail, type EmailClaimedData } from './email-claim.js';
export { captureLead, checkLead, forCustomer, leadDecider, type CaptureLead, type LeadSubmission } from './lead.js';
export { leadCaptureMigrations } from './lead-capture.migrations.js';
export { SubmissionRateLimiter } from './rate-limiter.js';
export { FormsModule } from './lead-capture.module.js';
export { useSubmissionHttp } from './submission-http.js';
export { KNOWN_CUSTOMERS, type KnownCustomers } from './known-customers.js';
