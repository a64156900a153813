import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse, notFoundProblem, ParseUuidPipe, PROBLEM_TYPES, ProblemException } from '#http';
import { ApiKeyNameTakenError, ApiKeyService } from './api-key.service.js';
import { Roles } from './access.js';
import { ApiKeyDto, CreatedApiKeyDto, CreateApiKeyDto } from './api-key.dto.js';

/** Key management for operators; the CLI (`keys create|list|revoke`) does the same. */
@ApiTags('api-keys')
@Roles('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The key is in this response only; it is stored hashed.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiProblemResponse(400, 'Invalid name or role')
  @ApiProblemResponse(409, 'An active key already has this name')
  async create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    try {
      return new CreatedApiKeyDto(await this.apiKeys.create(body));
    } catch (error) {
      if (!(error instanceof ApiKeyNameTakenError)) throw error;
      throw new ProblemException({
        type: PROBLEM_TYPES.conflict,
        title: 'Name taken',
        status: 409,
        detail: `${error.message}; revoke it first or choose another name`,
        errors: [{ field: 'name', message: error.message }],
      });
    }
  }

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'Every key, revoked ones included, oldest first; never the keys themselves.' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  async list(): Promise<ApiKeyDto[]> {
    return (await this.apiKeys.list()).map((record) => new ApiKeyDto(record));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key', description: 'At once and for good; revoking a revoked key changes nothing.' })
  @ApiParam({ name: 'id', format: 'uuid', example: '0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblemResponse(400, 'The id is not a UUID')
  @ApiProblemResponse(404, 'No such key')
  async revoke(@Param('id', ParseUuidPipe) id: string): Promise<void> {
    if (!(await this.apiKeys.revoke(id))) {
      throw notFoundProblem(`no API key ${id}`);
    }
  }
}
