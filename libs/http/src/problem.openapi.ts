import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, type FieldError, type ProblemDetails } from './problem.js';

/** OpenAPI schema of {@link FieldError}. */
export class FieldErrorDto implements FieldError {
  @ApiProperty({ description: 'Full path of the field, array indexes included', example: 'lines.1.quantity' })
  readonly field!: string;

  @ApiProperty({ example: 'quantity must be a positive number' })
  readonly message!: string;
}

/** OpenAPI schema of {@link ProblemDetails} (documentation only: errors are built by the exception filter). */
export class ProblemDetailsDto implements ProblemDetails {
  readonly [extension: string]: unknown;

  @ApiProperty({ enum: ['about:blank', ...Object.values(PROBLEM_TYPES)], example: PROBLEM_TYPES.validationFailed })
  readonly type!: string;

  @ApiProperty({ example: 'Invalid request' })
  readonly title!: string;

  @ApiProperty({ type: 'integer', example: 400 })
  readonly status!: number;

  @ApiProperty({ example: 'lines.1.quantity: quantity must be a positive number' })
  readonly detail!: string;

  @ApiPropertyOptional({ description: 'The request path', example: '/customers/6f9d1c8e-2b1f-4c53-9a55-0d4b8f3e7a21/purchases' })
  readonly instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Each invalid field (validation failures, rule violations)' })
  readonly errors?: FieldErrorDto[];
}

/** Documents an error response of a route (or of every route of a controller) as problem+json. */
export function ApiProblemResponse(status: number, description: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto, FieldErrorDto),
    ApiResponse({ status, description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } } }),
  );
}
