import { ApiProperty } from '@nestjs/swagger';
import { StreamCommandResultDto } from '../../commands/stream-commands.js';

export class VisitorCommandResultDto extends StreamCommandResultDto {
  @ApiProperty({ example: 'v-7f3a9c2e' })
  visitorId!: string;
}
