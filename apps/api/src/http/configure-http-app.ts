import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { FieldErrorDto, ProblemDetailsDto, refuseForbiddenFormFields } from '#http';
import { API_KEY_SECURITY } from '#auth';
import { useSubmissionHttp } from '#lead-capture';
import { BODY_LIMIT_BYTES } from './problems.js';
const OPENAPI_JSON_PATH = 'openapi.json';
const OPENAPI_UI_PATH = 'docs';

/**
 * What the API needs set on the application object itself, before it starts (the guard, filter,
 * pipe and interceptor are providers of ApiModule): body size limits, and the OpenAPI document at
 * GET /openapi.json with its UI at /docs. Both are served outside the Nest router, so no guard
 * applies: they are public.
 */
export function configureHttpApp(app: INestApplication): void {
  // The api runs on Express (@nestjs/platform-express).
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  // Public form submissions get their own, smaller limit (and CORS): first, so theirs parse the body.
  useSubmissionHttp(express);
  // Registered before Nest's default parsers (100 kB), which it then leaves out.
  express.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
  express.useBodyParser('urlencoded', { limit: BODY_LIMIT_BYTES, extended: false, verify: refuseForbiddenFormFields });

  const config = new DocumentBuilder()
    .setTitle('CRM API')
    .setDescription(
      'Commands, queries and administration of the event-sourced CRM. Authenticate with `Authorization: Bearer <api key>`; ' +
        'errors are `application/problem+json`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key, e.g. `crm_...`' }, API_KEY_SECURITY)
    .build();
  // Built on first request, once every route is registered.
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetailsDto, FieldErrorDto] }), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
  });
}
