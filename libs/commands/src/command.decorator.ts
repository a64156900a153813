import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblemResponse } from '#http';
import { CORRELATION_ID_HEADER, IDEMPOTENCY_KEY_HEADER } from './command-request.js';

export const COMMAND_ROUTE = Symbol('crm:command-route');

/**
 * Marks a route as a command: it gets a {@link CommandContext} (`@CurrentCommand()`) and honours
 * `Idempotency-Key`. Needs `@Roles(...)` too: keys belong to the API key that sent them.
 */
export function Command(): MethodDecorator {
  return applyDecorators(
    SetMetadata(COMMAND_ROUTE, true),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes retries safe: a retry of the same request (method, path, body) with the same key gets the first ' +
        'response again (header Idempotent-Replayed: true) and changes nothing. 1 to 255 printable ASCII characters.',
      schema: { type: 'string', maxLength: 255, example: '3a1f6c2e-order-4711' },
    }),
    ApiHeader({
      name: CORRELATION_ID_HEADER,
      required: false,
      description: 'Carried into the metadata of the events appended (defaults to the command id).',
      schema: { type: 'string', maxLength: 255 },
    }),
    ApiProblemResponse(409, 'The stream changed since the expected revision (see currentRevision), or a request with this Idempotency-Key is still running'),
    ApiProblemResponse(422, 'The command breaks a business rule, or this Idempotency-Key was used for a different request'),
  );
}
