import { BadRequestException, HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { NotFoundError, RuleViolationError } from '#domain';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  InvalidPositionError,
  StreamErasedError,
  WrongExpectedRevisionError,
} from '#event-store';
import { PROBLEM_TYPES, ProblemException } from '#http';
import { fieldPath, problemFor } from './problems.js';

describe('problemFor', () => {
  const path = '/customers/c1/purchases';

  it('passes a ProblemException through, with its headers', () => {
    const exception = new ProblemException(
      { type: PROBLEM_TYPES.unauthenticated, title: 'Authentication required', status: 401, detail: 'no key' },
      { headers: { 'WWW-Authenticate': 'Bearer realm="crm"' } },
    );
    expect(problemFor(exception, path)).toEqual({
      problem: { type: PROBLEM_TYPES.unauthenticated, title: 'Authentication required', status: 401, detail: 'no key', instance: path },
      headers: { 'WWW-Authenticate': 'Bearer realm="crm"' },
      unexpected: false,
    });
  });

  it('answers a domain not_found with 404 and its reason', () => {
    expect(problemFor(new NotFoundError('customer_not_found', 'no customer c1'), path).problem).toEqual({
      type: PROBLEM_TYPES.notFound,
      title: 'Not found',
      status: 404,
      detail: 'no customer c1',
      reason: 'customer_not_found',
      instance: path,
    });
  });

  it('answers a broken rule with 422, its reason and its field as validation names fields', () => {
    const error = new RuleViolationError('refund_exceeds_purchase', 'the refund exceeds the purchase', 'lines[1].quantity');
    expect(problemFor(error, path).problem).toEqual({
      type: PROBLEM_TYPES.ruleViolated,
      title: 'Rule violated',
      status: 422,
      detail: 'the refund exceeds the purchase',
      reason: 'refund_exceeds_purchase',
      field: 'lines.1.quantity',
      errors: [{ field: 'lines.1.quantity', message: 'the refund exceeds the purchase' }],
      instance: path,
    });
    expect(problemFor(new RuleViolationError('closed', 'the ticket is closed'), path).problem).not.toHaveProperty('field');
  });

  it('answers a concurrent append with 409 and the current revision', () => {
    const { problem } = problemFor(new WrongExpectedRevisionError('customer-c1', 3, 5), path);
    expect(problem).toMatchObject({ type: PROBLEM_TYPES.concurrencyConflict, status: 409, currentRevision: 5 });
    expect(problemFor(new WrongExpectedRevisionError('customer-c1', 'stream_exists', null), path).problem).toMatchObject({ currentRevision: null });
  });

  it('answers reused event ids with 409', () => {
    expect(problemFor(new DuplicateEventIdError('customer-c1', ['e1']), path).problem).toMatchObject({ type: PROBLEM_TYPES.duplicateEventId, status: 409 });
  });

  it('answers a write to a sealed stream with 422, as for an erased customer', () => {
    expect(problemFor(new StreamErasedError('customer-c1'), path)).toEqual({
      problem: {
        type: PROBLEM_TYPES.ruleViolated,
        title: 'Rule violated',
        status: 422,
        detail: 'customer c1 was erased',
        reason: 'customer_erased',
        instance: path,
      },
      headers: {},
      unexpected: false,
    });
    expect(problemFor(new StreamErasedError('visitor-v1'), path).problem).toMatchObject({ status: 422, reason: 'stream_erased' });
  });

  it('answers a bad position with 400', () => {
    expect(problemFor(new InvalidPositionError('x'), path).problem).toMatchObject({ type: PROBLEM_TYPES.invalidPosition, status: 400 });
  });

  it('answers an unreachable event store with 503 and Retry-After, without its internals', () => {
    const answer = problemFor(new EventStoreUnavailableError('connect ECONNREFUSED 10.0.0.7:2113'), path);
    expect(answer.problem).toMatchObject({ type: PROBLEM_TYPES.serviceUnavailable, status: 503 });
    expect(answer.problem.detail).not.toContain('10.0.0.7');
    expect(answer.headers).toEqual({ 'Retry-After': '5' });
    expect(answer.unexpected).toBe(false);
  });

  it('answers malformed JSON and oversized bodies (as Nest maps body-parser errors) with their own types', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), { status: 400, type: 'entity.parse.failed' });
    expect(problemFor(new BadRequestException(syntax.message, { cause: syntax }), path).problem).toMatchObject({
      type: PROBLEM_TYPES.malformedJson,
      status: 400,
      detail: 'the body is not valid JSON: Unexpected token } in JSON at position 9',
    });
    expect(problemFor(new HttpException('request entity too large', 413), path).problem).toMatchObject({
      type: PROBLEM_TYPES.payloadTooLarge,
      status: 413,
      detail: 'the body is larger than 256 kB',
    });
    expect(problemFor(new PayloadTooLargeException(), path).problem.type).toBe(PROBLEM_TYPES.payloadTooLarge);
  });

  it("answers Nest's other HTTP exceptions with their status", () => {
    expect(problemFor(new NotFoundException('Cannot GET /nope'), '/nope')).toEqual({
      problem: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'Cannot GET /nope', instance: '/nope' },
      headers: {},
      unexpected: false,
    });
    expect(problemFor(new BadRequestException(['a is bad', 'b is bad']), path).problem.detail).toBe('a is bad; b is bad');
  });

  it('answers anything else with a generic 500, to be logged', () => {
    const answer = problemFor(new TypeError("Cannot read properties of undefined (reading 'password')"), path);
    expect(answer.problem).toEqual({
      type: PROBLEM_TYPES.internal,
      title: 'Internal server error',
      status: 500,
      detail: 'an unexpected error occurred; it has been logged',
      instance: path,
    });
    expect(answer.unexpected).toBe(true);
  });
});

describe('fieldPath', () => {
  it('writes array indexes as path segments', () => {
    expect(fieldPath('lines[1].quantity')).toBe('lines.1.quantity');
    expect(fieldPath('a[0][2].b')).toBe('a.0.2.b');
    expect(fieldPath('email')).toBe('email');
  });
});
