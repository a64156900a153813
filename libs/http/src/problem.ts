import { HttpException } from '@nestjs/common';

/** The media type of every error body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One invalid input field; `field` is its full path, e.g. `lines.1.quantity`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * An error body (RFC 9457). Extension members (`reason`, `currentRevision`, ...) sit beside the
 * standard ones.
 */
export interface ProblemDetails {
  /** Identifies the kind of problem; one of {@link PROBLEM_TYPES}, or `about:blank` (nothing beyond the status). */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  /** This occurrence, in words meant for the client's developer. */
  readonly detail: string;
  /** The request path. */
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

/**
 * The kinds of problem this API reports. URNs rather than URLs: they identify, nobody should
 * dereference them; the README describes each.
 */
export const PROBLEM_TYPES = {
  validationFailed: 'urn:crm:problem:validation-failed',
  malformedJson: 'urn:crm:problem:malformed-json',
  payloadTooLarge: 'urn:crm:problem:payload-too-large',
  unauthenticated: 'urn:crm:problem:unauthenticated',
  forbidden: 'urn:crm:problem:forbidden',
  notFound: 'urn:crm:problem:not-found',
  ruleViolated: 'urn:crm:problem:rule-violated',
  concurrencyConflict: 'urn:crm:problem:concurrency-conflict',
  duplicateEventId: 'urn:crm:problem:duplicate-event-id',
  invalidPosition: 'urn:crm:problem:invalid-position',
  idempotencyKeyReused: 'urn:crm:problem:idempotency-key-reused',
  idempotencyKeyInProgress: 'urn:crm:problem:idempotency-key-in-progress',
  conflict: 'urn:crm:problem:conflict',
  serviceUnavailable: 'urn:crm:problem:service-unavailable',
  internal: 'urn:crm:problem:internal-error',
} as const;

export interface ProblemExceptionOptions {
  readonly cause?: unknown;
  /** Response headers that belong to the problem (`WWW-Authenticate`, `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * An error the API answers with exactly this problem. Libraries throw it (they know what went
 * wrong, not how the app renders it); the app's exception filter writes it out.
 */
export class ProblemException extends HttpException {
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly problem: ProblemDetails,
    options: ProblemExceptionOptions = {},
  ) {
    super(problem, problem.status, { cause: options.cause });
    this.headers = options.headers ?? {};
  }
}

/** A 404: what is not there, and the domain's reason code when it gave one. */
export function notFoundProblem(detail: string, reason?: string): ProblemException {
  return new ProblemException({ type: PROBLEM_TYPES.notFound, title: 'Not found', status: 404, detail, ...(reason === undefined ? {} : { reason }) });
}

/** A 400 listing each invalid field. */
export function validationProblem(errors: readonly FieldError[]): ProblemException {
  const detail =
    errors.length === 1 ? `${errors[0].field}: ${errors[0].message}` : `${errors.length} problems with the request; see errors`;
  return new ProblemException({ type: PROBLEM_TYPES.validationFailed, title: 'Invalid request', status: 400, detail, errors });
}
