import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsISO8601, IsOptional } from 'class-validator';
import { CUSTOMER_EVENT_TYPES, type CustomerEventType } from '#customers/domain';
import { PageCursor, PageLimit } from '#http';
import { ConsistencyQueryDto } from '#read-model-engine';

export const MAX_TIMELINE_PAGE = 200;

const timestamp = (property: string) => ({ message: `${property} must be an ISO 8601 date or timestamp` });

/** `types=A,B` or `types=A&types=B`: a list either way. */
function typeList({ value }: { value: unknown }): unknown {
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (!values.every((item) => typeof item === 'string')) return value;
  return (values as string[]).flatMap((item) => item.split(',')).map((item) => item.trim()).filter((item) => item !== '');
}

export class TimelineQueryDto extends ConsistencyQueryDto {
  @ApiPropertyOptional({
    description: 'Only these event types, comma-separated',
    example: 'CallLogged,EmailLogged',
    type: 'string',
  })
  @IsOptional()
  @Transform(typeList)
  @IsArray({ message: 'types must be a comma-separated list of event types' })
  @ArrayMaxSize(CUSTOMER_EVENT_TYPES.length)
  @IsIn(CUSTOMER_EVENT_TYPES, { each: true, message: `types must list only ${CUSTOMER_EVENT_TYPES.join(', ')}` })
  types?: CustomerEventType[];

  @ApiPropertyOptional({ description: 'Occurred at or after (inclusive)', example: '2026-01-01T00:00:00Z', format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, timestamp('from'))
  from?: string;

  @ApiPropertyOptional({ description: 'Occurred before (exclusive)', example: '2026-12-31T00:00:00Z', format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, timestamp('to'))
  to?: string;

  @PageLimit(MAX_TIMELINE_PAGE)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
