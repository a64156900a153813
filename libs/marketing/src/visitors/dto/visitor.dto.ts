import { ApiProperty } from '@nestjs/swagger';
import { StreamCommandResultDto } from '#commands';

export class VisitorCommandResultDto extends StreamCommandResultDto {
  @ApiProperty({ example: 'v-7f3a9c2e' })
  visitorId!: string;
}
