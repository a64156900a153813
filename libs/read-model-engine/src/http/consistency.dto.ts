import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** What every query route accepts: read-your-writes as a query parameter (or the X-Consistent-With header). */
export class ConsistencyQueryDto {
  @ApiPropertyOptional({
    description: 'A log position a command answered: the query waits until the read models it reads have reached it (else 503). Same as the X-Consistent-With header.',
    example: '7520-118',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  consistentWith?: string;
}
