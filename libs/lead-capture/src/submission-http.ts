import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PROBLEM_TYPES, ProblemException, refuseForbiddenFormFields } from '#http';

/** Where pages post a form (Express path syntax); served by FormSubmissionsController. */
export const SUBMISSIONS_PATH = '/forms/:formKey/submissions';

/** A lead-capture form is a few short fields: anything much larger is not a person typing. */
export const SUBMISSION_BODY_LIMIT_BYTES = 16 * 1024;

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** The two body-parser factories of Express; the project has no Express typings, and uses nothing else of it here. */
interface ExpressBodyParsers {
  json(options: { limit: number }): Middleware;
  urlencoded(options: { limit: number; extended: boolean; verify?: typeof refuseForbiddenFormFields }): Middleware;
}
const express = createRequire(import.meta.url)('express') as ExpressBodyParsers;

/**
 * What the public submission route needs before Nest routes the request, registered ahead of the
 * API's own body parsers (which then leave the parsed body alone):
 * - its own body limit, far below the API's, so an oversized body is refused (413) unread;
 * - CORS open to any origin: the form's key is public and no credential is involved, so any page
 *   may post a form with JavaScript, and read the answer (Retry-After included).
 */
export function useSubmissionHttp(app: NestExpressApplication): void {
  const limit = SUBMISSION_BODY_LIMIT_BYTES;
  app.use(SUBMISSIONS_PATH, allowAnyOrigin, ...[express.json({ limit }), express.urlencoded({ limit, extended: false, verify: refuseForbiddenFormFields })].map(sizedAsProblem));
}

const allowAnyOrigin: Middleware = (request, response, next) => {
  response.setHeader('Access-Control-Allow-Origin', '*');
  response.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  if (request.method !== 'OPTIONS') return next();
  // A preflight (JSON posts, or an Idempotency-Key header): answered here, before any guard.
  response.setHeader('Access-Control-Allow-Methods', 'POST');
  response.setHeader('Access-Control-Allow-Headers', 'Content-Type, Idempotency-Key, X-Correlation-Id');
  response.setHeader('Access-Control-Max-Age', '86400');
  response.statusCode = 204;
  response.end();
};

/** The parser, with its "too large" error told in this route's limit (the API's generic 413 names its own). */
function sizedAsProblem(parser: Middleware): Middleware {
  return (request, response, next) =>
    parser(request, response, (error) => {
      if ((error as { type?: unknown } | undefined)?.type !== 'entity.too.large') return next(error);
      next(
        new ProblemException({
          type: PROBLEM_TYPES.payloadTooLarge,
          title: 'Payload too large',
          status: 413,
          detail: `a form submission must not exceed ${SUBMISSION_BODY_LIMIT_BYTES / 1024} kB`,
        }),
      );
    });
}
