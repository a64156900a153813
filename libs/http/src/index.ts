export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  ProblemException,
  notFoundProblem,
  validationProblem,
  type FieldError,
  type ProblemDetails,
} from './problem.js';
export { ApiProblemResponse, FieldErrorDto, ProblemDetailsDto } from './problem.openapi.js';
export { csvFormat, type CsvColumn } from './csv.js';
export { ParseIdPipe } from './validation.js';
export { createValidationPipe } from './validation.js';
export { ID_PATTERN } from './fields.js';
export { ID_RULE } from './fields.js';
export { ParseUuidPipe } from './validation.js';
export { HttpUrl } from './fields.js';
export { OptionalId } from './fields.js';
export { Text } from './fields.js';
export { refuseForbiddenFormFields } from './request-input.js';
export { checkInput } from './request-input.js';
export { RequiredId } from './fields.js';
export { CalendarDate } from './fields.js';
export { CurrencyCode } from './fields.js';
export { MAX_MINOR } from './fields.js';
export { OccurredAt } from './fields.js';
export { IsStringRecord } from './string-record.js';
export { MinorAmount } from './fields.js';
export { IsId } from './fields.js';
export { PageCursor, PageLimit } from './fields.js';
