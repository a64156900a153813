import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import { KEY_NAME_PATTERN, KEY_NAME_RULE, ROLES, type Role } from './api-key.js';
import { type ApiKeyRecord, type CreatedApiKey } from './api-key.service.js';

export class CreateApiKeyDto {
  @ApiProperty({ description: `Who uses the key: ${KEY_NAME_RULE}; unique among active keys`, example: 'webshop', pattern: KEY_NAME_PATTERN.source })
  @IsString()
  @Matches(KEY_NAME_PATTERN, { message: `name must be ${KEY_NAME_RULE}` })
  readonly name!: string;

  @ApiProperty({ enum: ROLES, example: 'service' })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  readonly role!: Role;
}

/** A key as listed: never the key, nor its hash. */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d' })
  readonly id: string;

  @ApiProperty({ example: 'webshop' })
  readonly name: string;

  @ApiProperty({ enum: ROLES, example: 'service' })
  readonly role: Role;

  @ApiProperty({ description: 'The first characters of the key, to tell keys apart', example: 'crm_Xk3v9QaB' })
  readonly prefix: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2025-01-31T09:30:00.000Z' })
  readonly createdAt: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: null, description: 'When it was revoked; null while active' })
  readonly revokedAt: Date | null;

  constructor(record: ApiKeyRecord) {
    this.id = record.id;
    this.name = record.name;
    this.role = record.role;
    this.prefix = record.prefix;
    this.createdAt = record.createdAt;
    this.revokedAt = record.revokedAt;
  }
}

/** A key just created, with the key itself: shown this once. */
export class CreatedApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d' })
  readonly id: string;

  @ApiProperty({ example: 'webshop' })
  readonly name: string;

  @ApiProperty({ enum: ROLES, example: 'service' })
  readonly role: Role;

  @ApiProperty({ description: 'The API key. Shown only in this response: store it now.', example: 'crm_Xk3v9QaBp1c0RkT8mWl2YdE5uJ7sN4hF6gZ0aQwErTy' })
  readonly key: string;

  @ApiProperty({ description: 'The first characters of the key, as lists show it', example: 'crm_Xk3v9QaB' })
  readonly prefix: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2025-01-31T09:30:00.000Z' })
  readonly createdAt: Date;

  constructor(created: CreatedApiKey) {
    this.id = created.id;
    this.name = created.name;
    this.role = created.role;
    this.key = created.key;
    this.prefix = created.prefix;
    this.createdAt = created.createdAt;
  }
}
