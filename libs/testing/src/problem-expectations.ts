import { PROBLEM_TYPES, ProblemException, type ProblemDetails } from '#http';

export const PROBLEM_JSON = /^application\/problem\+json/;

/** What a refused command must answer: the status, and where given the problem type, field and reason. */
export interface ProblemExpectation {
  readonly status: 400 | 401 | 403 | 404 | 413 | 422;
  /** The problem type, when not the usual one of the status (malformed JSON). */
  readonly type?: string;
  /** The field named: the only one in `errors` (400), or `field` (422; absent when the rule names none). */
  readonly field?: string;
  /** The domain's reason code (404, 422). */
  readonly reason?: string;
}

const PROBLEM_TYPE_OF_STATUS: Record<ProblemExpectation['status'], string> = {
  400: PROBLEM_TYPES.validationFailed,
  401: PROBLEM_TYPES.unauthenticated,
  403: PROBLEM_TYPES.forbidden,
  404: PROBLEM_TYPES.notFound,
  413: PROBLEM_TYPES.payloadTooLarge,
  422: PROBLEM_TYPES.ruleViolated,
};

/** Checks a refusal against what was expected; answers its problem body. */
export function expectProblem(response: { status: number; headers: Record<string, string>; body: unknown }, expected: ProblemExpectation): Record<string, unknown> {
  expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({
    status: expected.status,
    contentType: expect.stringMatching(PROBLEM_JSON),
  });
  const problem = response.body as Record<string, unknown>;
  expect(problem).toMatchObject({ type: expected.type ?? PROBLEM_TYPE_OF_STATUS[expected.status], status: expected.status });
  if (expected.status === 400 && expected.field !== undefined) {
    const fields = (problem.errors as { field: string }[]).map((error) => error.field);
    expect([...new Set(fields)]).toEqual([expected.field]);
  }
  if (expected.reason !== undefined) expect(problem.reason).toBe(expected.reason);
  if (expected.status === 422) expect(problem.field).toBe(expected.field);
  return problem;
}

/** The problem a query was refused with (a ProblemException); fails when it was not refused so. */
export async function problemOf(promise: Promise<unknown>): Promise<ProblemDetails> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ProblemException)) throw new Error(`expected a ProblemException, got ${String(error)}`);
  return error.problem;
}
