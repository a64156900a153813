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
