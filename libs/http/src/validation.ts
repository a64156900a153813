import { Injectable, ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationError } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { validationProblem, type FieldError } from './problem.js';
import { ID_PATTERN, ID_RULE } from './fields.js';
import { checkInput } from './request-input.js';

/**
 * Each failed constraint with the full path of its field (`lines.1.quantity`), nested objects and
 * array items included. An error without a property is about the body as a whole (`body`).
 */
export function fieldErrors(errors: readonly ValidationError[], parent?: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent === undefined ? error.property || 'body' : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/**
 * The global pipe (APP_PIPE): bodies, queries and params are validated against their DTO classes,
 * unknown fields are refused, and DTOs arrive as instances. No implicit conversion: a string is not
 * silently taken for a number; DTOs convert explicitly (`@Type(() => Number)` on query fields).
 */
export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => validationProblem(fieldErrors(errors)),
  });
}

/**
 * Checks every body, query and route parameter against the input rules first (nesting, forbidden
 * property names, the text rule), whether a DTO describes it or not. Also says so when a DTO body
 * is not an object at all (an array, a string): class-validator would report its indexes as
 * unknown fields, or only the fields it lacks.
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') checkInput(value, metadata.data ?? '');
    const notAnObject = typeof value !== 'object' || value === null || Array.isArray(value);
    if (metadata.type === 'body' && value !== undefined && notAnObject && this.toValidate(metadata)) {
      throw validationProblem([{ field: 'body', message: 'the body must be a JSON object' }]);
    }
    return super.transform(value, metadata);
  }
}

/** A route parameter that must be a UUID (`@Param('id', ParseUuidPipe)`): a 400 naming the parameter otherwise. */
@Injectable()
export class ParseUuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isUUID(value)) throw validationProblem([{ field: metadata.data ?? 'id', message: `${metadata.data ?? 'id'} must be a UUID` }]);
    return value;
  }
}

/** A route parameter that must be an id (`id`, `contractId`): a 400 naming the parameter otherwise. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const field = metadata.data ?? 'id';
    if (!ID_PATTERN.test(value)) throw validationProblem([{ field, message: `${field} must be ${ID_RULE}` }]);
    return value;
  }
}
