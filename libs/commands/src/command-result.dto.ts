import { ApiProperty } from '@nestjs/swagger';

export class CommandResultDto {
  @ApiProperty({ example: 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b' })
  customerId!: string;

  @ApiProperty({ example: 3, description: "The customer stream's revision after the command" })
  revision!: number;

  @ApiProperty({
    example: '7520-118',
    description: 'Log position of the last event written; send it as X-Consistent-With to read your own write',
  })
  position!: string;
}
