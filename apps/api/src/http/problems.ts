import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { DomainError } from '#domain';
import { customerIdOfStream } from '#customers/domain';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  InvalidPositionError,
  StreamErasedError,
  WrongExpectedRevisionError,
} from '#event-store';
import { PROBLEM_TYPES, ProblemException, type ProblemDetails } from '#http';
import { ProjectionLagError } from '#read-model-engine';

/** Largest JSON or form body accepted; bigger ones get a 413. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Seconds a client is told to wait before retrying while the event store is unreachable. */
const RETRY_AFTER_SECONDS = 5;

export interface ProblemResponse {
  readonly problem: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;
  /** A fault of the server, not of the request: log it with its stack. */
  readonly unexpected: boolean;
}

interface Classified {
  readonly problem: ProblemDetails;
  readonly headers?: Readonly<Record<string, string>>;
  readonly unexpected?: boolean;
}

/** How the API answers an exception thrown while serving `instance` (the request path). */
export function problemFor(exception: unknown, instance: string): ProblemResponse {
  const { problem, headers = {}, unexpected = false } = classify(exception);
  return { problem: { ...problem, instance }, headers, unexpected };
}

/** Each kind of error the app knows gets its status and problem type; anything else is a 500. */
function classify(exception: unknown): Classified {
  if (exception instanceof ProblemException) return { problem: exception.problem, headers: exception.headers };
  // A body parser's `verify` hook refused the body: Nest hands it on wrapped in a 400.
  if (exception instanceof HttpException && exception.cause instanceof ProblemException) return { problem: exception.cause.problem, headers: exception.cause.headers };
  if (exception instanceof DomainError) return domainProblem(exception);
  if (exception instanceof WrongExpectedRevisionError) {
    return {
      problem: {
        type: PROBLEM_TYPES.concurrencyConflict,
        title: 'Concurrent change',
        status: 409,
        detail: `${exception.message}; read it again and retry`,
        currentRevision: exception.actual,
      },
    };
  }
  if (exception instanceof DuplicateEventIdError) {
    return { problem: { type: PROBLEM_TYPES.duplicateEventId, title: 'Command already applied differently', status: 409, detail: exception.message } };
  }
  if (exception instanceof StreamErasedError) return erasedProblem(exception);
  if (exception instanceof InvalidPositionError) {
    return { problem: { type: PROBLEM_TYPES.invalidPosition, title: 'Invalid position', status: 400, detail: exception.message } };
  }
  if (exception instanceof EventStoreUnavailableError) {
    return {
      problem: { type: PROBLEM_TYPES.serviceUnavailable, title: 'Service unavailable', status: 503, detail: 'the event store cannot be reached; retry later' },
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    };
  }
  if (exception instanceof ProjectionLagError) {
    return {
      problem: {
        type: PROBLEM_TYPES.serviceUnavailable,
        title: 'Read model behind',
        status: 503,
        detail: `${exception.message}; retry shortly`,
      },
      headers: { 'Retry-After': '1' },
    };
  }
  if (exception instanceof HttpException) return httpProblem(exception);
  return {
    problem: { type: PROBLEM_TYPES.internal, title: 'Internal server error', status: 500, detail: 'an unexpected error occurred; it has been logged' },
    unexpected: true,
  };
}

function domainProblem(error: DomainError): Classified {
  if (error.kind === 'not_found') {
    return { problem: { type: PROBLEM_TYPES.notFound, title: 'Not found', status: 404, detail: error.message, reason: error.reason } };
  }
  const field = error.field === undefined ? undefined : fieldPath(error.field);
  return {
    problem: {
      type: PROBLEM_TYPES.ruleViolated,
      title: 'Rule violated',
      status: 422,
      detail: error.message,
      reason: error.reason,
      ...(field === undefined ? {} : { field, errors: [{ field, message: error.message }] }),
    },
  };
}

/**
 * A command that read the stream before its person's erasure and found the keys sealed when it
 * came to write: answered like any command for an erased customer.
 */
function erasedProblem(error: StreamErasedError): Classified {
  const customerId = customerIdOfStream(error.streamId);
  const [reason, detail] =
    customerId === undefined ? ['stream_erased', error.message] : ['customer_erased', `customer ${customerId} was erased`];
  return { problem: { type: PROBLEM_TYPES.ruleViolated, title: 'Rule violated', status: 422, detail, reason } };
}

/** Nest's own exceptions: the router's 404, the body parser's errors (mapped by Nest), a controller's HttpException. */
function httpProblem(exception: HttpException): Classified {
  const status = exception.getStatus();
  const detail = messageOf(exception);
  if (status === 400 && bodyParserErrorType(exception.cause) === 'entity.parse.failed') {
    return { problem: { type: PROBLEM_TYPES.malformedJson, title: 'Malformed JSON', status, detail: `the body is not valid JSON: ${detail}` } };
  }
  if (status === 413) {
    return { problem: { type: PROBLEM_TYPES.payloadTooLarge, title: 'Payload too large', status, detail: `the body is larger than ${BODY_LIMIT_BYTES / 1024} kB` } };
  }
  return { problem: { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail }, unexpected: status >= 500 };
}

/** body-parser (through http-errors) tags its errors with a `type`, e.g. `entity.parse.failed`. */
function bodyParserErrorType(cause: unknown): string | undefined {
  const type = (cause as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : undefined;
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const { message } = response as { message?: unknown };
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Field paths as validation reports them: `lines[1].quantity` becomes `lines.1.quantity`. */
export function fieldPath(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1');
}
