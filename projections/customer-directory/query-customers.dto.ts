import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { CUSTOMER_STAGES, type CustomerStage } from '#customers/domain';
import { ID_PATTERN, IsId, PageCursor, PageLimit } from '#http';
import { ConsistencyQueryDto } from '#read-model-engine';
import { DIRECTORY_SORTS, SORT_ORDERS, type DirectorySort, type SortOrder } from './directory.queries.js';

const timestamp = (property: string) => ({ message: `${property} must be an ISO 8601 date or timestamp` });

/** Which customers: the filters of the list and of the CSV export. */
export class CustomerFiltersQueryDto extends ConsistencyQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of name, e-mail, company or phone', example: 'lovelace', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_STAGES })
  @IsOptional()
  @IsIn(CUSTOMER_STAGES)
  stage?: CustomerStage;

  @ApiPropertyOptional({ description: 'Owning sales rep', example: 'rep-17', pattern: ID_PATTERN.source })
  @IsOptional()
  @IsId()
  ownerRepId?: string;

  @ApiPropertyOptional({ description: 'Region (demographics), exactly', example: 'Bavaria', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string;

  @ApiPropertyOptional({ description: 'Customers carrying this tag', example: 'enterprise', maxLength: 50 })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  tag?: string;

  @ApiPropertyOptional({ description: 'Registered at or after (inclusive)', example: '2026-01-01', format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, timestamp('createdFrom'))
  createdFrom?: string;

  @ApiPropertyOptional({ description: 'Registered before (exclusive)', example: '2026-07-01', format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, timestamp('createdTo'))
  createdTo?: string;

  @ApiPropertyOptional({ enum: DIRECTORY_SORTS, default: 'createdAt' })
  @IsOptional()
  @IsIn(DIRECTORY_SORTS)
  sort?: DirectorySort;

  @ApiPropertyOptional({ enum: SORT_ORDERS, description: 'Default: asc for name, desc otherwise' })
  @IsOptional()
  @IsIn(SORT_ORDERS)
  order?: SortOrder;
}

export const MAX_CUSTOMERS_PAGE = 500;

export class ListCustomersQueryDto extends CustomerFiltersQueryDto {
  @PageLimit(MAX_CUSTOMERS_PAGE)
  limit?: number;

  @PageCursor('nextCursor of the previous page (same filters, sort and order)')
  cursor?: string;
}
