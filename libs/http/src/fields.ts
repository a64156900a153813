import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, ValidateBy, type ValidationArguments } from 'class-validator';
import { keepsTextRule } from '#domain';

/** Money is an integer in minor units (cents): no binary floating point anywhere near it. */
export const MAX_MINOR = 1_000_000_000_000;

/** An amount of money in minor units (1999 = 19.99), from 0 up to {@link MAX_MINOR}. */
export function MinorAmount(description: string, example: number, optional = false): PropertyDecorator {
  const decorators = [
    (optional ? ApiPropertyOptional : ApiProperty)({ description: `${description}, in minor units`, example, minimum: 0, maximum: MAX_MINOR }),
    IsInt(),
    Min(0),
    Max(MAX_MINOR),
  ];
  return applyDecorators(...(optional ? [IsOptional(), ...decorators] : decorators));
}

/** Ids of customers, orders, contracts...: chosen by the caller or generated; safe in a stream name and a URL. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const ID_RULE = '1 to 64 letters, digits, `_`, `.`, `:` or `-`, starting with a letter or digit';

export function IsId(): PropertyDecorator {
  return Matches(ID_PATTERN, { message: ({ property }) => `${property} must be ${ID_RULE}` });
}

/** An optional id: when absent the server derives one from the command id (stable across retries). */
export function OptionalId(description: string, example = 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b'): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ description, example, pattern: ID_PATTERN.source }), IsOptional(), IsId());
}

export function RequiredId(description: string, example: string): PropertyDecorator {
  return applyDecorators(ApiProperty({ description, example, pattern: ID_PATTERN.source }), IsId());
}

/** When it happened, as ISO 8601 with a time zone; defaults to the time the API received the command. */
export function OccurredAt(description = 'When it happened (ISO 8601 with a zone); defaults to now'): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example: '2026-11-20T14:30:00Z', format: 'date-time' }),
    IsOptional(),
    IsISO8601({ strict: true, strictSeparator: true }, { message: ({ property }) => `${property} must be an ISO 8601 timestamp` }),
  );
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function CalendarDate(description: string, example: string, optional = false): PropertyDecorator {
  const decorators = [
    (optional ? ApiPropertyOptional : ApiProperty)({ description, example, format: 'date' }),
    Matches(DATE_PATTERN, { message: ({ property }) => `${property} must be a date as YYYY-MM-DD` }),
  ];
  return applyDecorators(...(optional ? [IsOptional(), ...decorators] : decorators));
}

/** An ISO 4217 currency code, in any case (the domain upper-cases it). */
export function CurrencyCode(description = 'ISO 4217', optional = false): PropertyDecorator {
  const decorators = [
    (optional ? ApiPropertyOptional : ApiProperty)({ description, example: 'EUR' }),
    Matches(/^[A-Za-z]{3}$/, { message: ({ property }) => `${property} must be a three-letter ISO 4217 code` }),
  ];
  return applyDecorators(...(optional ? [IsOptional(), ...decorators] : decorators));
}

/**
 * A single line of text (no tab or line break). Every string of a request also keeps the rest of
 * the product's text rule, checked before any DTO (see request-input.ts).
 */
export function SingleLine(): PropertyDecorator {
  return ValidateBy({
    name: 'singleLine',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || keepsTextRule(value, 'line'),
      defaultMessage: ({ property }: ValidationArguments) => `${property} must be a single line: no tab or line break`,
    },
  });
}

/** Text of bounded length: one line, unless `multiline` (notes, reasons, terms: tab, CR and LF allowed). */
export function Text(
  maxLength: number,
  options: { description: string; example?: string; optional?: boolean; nullable?: boolean; multiline?: boolean },
): PropertyDecorator {
  const doc = (options.optional ? ApiPropertyOptional : ApiProperty)({
    description: options.description,
    example: options.example,
    maxLength,
    nullable: options.nullable,
  });
  const checks = [IsString(), MaxLength(maxLength), ...(options.multiline ? [] : [SingleLine()])];
  return applyDecorators(doc, ...(options.optional ? [IsOptional(), ...checks] : checks));
}

const URL_OPTIONS = { require_protocol: true, protocols: ['http', 'https'], require_tld: false };

/** An absolute http(s) URL (a host without a dot, such as `localhost`, allowed). */
export function HttpUrl(description: string, example: string, optional = false): PropertyDecorator {
  const decorators = [
    (optional ? ApiPropertyOptional : ApiProperty)({ description, example, maxLength: 2048 }),
    IsUrl(URL_OPTIONS, { message: ({ property }) => `${property} must be an http(s) URL` }),
    MaxLength(2048),
  ];
  return applyDecorators(...(optional ? [IsOptional(), ...decorators] : decorators));
}

/**
 * Decorators as stacked on a property (top first) and applied as TypeScript applies a stack:
 * bottom first, so validation reports in the same order either way.
 */
const stacked = (...decorators: PropertyDecorator[]): PropertyDecorator => applyDecorators(...decorators.reverse());

/** `limit` of a cursor-paged query: an integer from 1 to `max`, `fallback` when absent. */
export function PageLimit(max: number, fallback = 50): PropertyDecorator {
  return stacked(ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: max, default: fallback }), IsOptional(), Type(() => Number), IsInt(), Min(1), Max(max));
}

/** `cursor` of a cursor-paged query: the previous page's nextCursor, passed back as is. */
export function PageCursor(description = 'nextCursor of the previous page'): PropertyDecorator {
  return stacked(ApiPropertyOptional({ description }), IsOptional(), IsString(), MaxLength(2000));
}
