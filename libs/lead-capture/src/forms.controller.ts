import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse, notFoundProblem, ParseUuidPipe, validationProblem } from '#http';
import { Roles } from '#auth';
import { DEFAULT_HONEYPOT_FIELD, formDefinitionProblems, type FormDefinition } from './form.js';
import { FormStore } from './form.store.js';
import { CreateFormDto, FormDto } from './form.dto.js';

/** Lead-capture forms, for operators: create one, embed its key in a page; disable it when the campaign ends. */
@ApiTags('lead capture')
@Roles('admin')
@Controller('forms')
export class FormsController {
  constructor(private readonly forms: FormStore) {}

  @Post()
  @ApiOperation({
    summary: 'Create a lead-capture form',
    description: 'Answers its id and its public key; pages post submissions to `submitPath` without an API key.',
  })
  @ApiCreatedResponse({ type: FormDto })
  @ApiProblemResponse(400, 'Invalid or unknown field; a field name that is reserved, repeated or unknown to the form')
  async create(@Body() body: CreateFormDto): Promise<FormDto> {
    const definition: FormDefinition = {
      name: body.name.trim(),
      fields: body.fields ?? [],
      requiredFields: body.requiredFields ?? [],
      honeypotField: body.honeypotField ?? DEFAULT_HONEYPOT_FIELD,
      campaignId: body.campaignId ?? null,
      adId: body.adId ?? null,
      affiliateSiteId: body.affiliateSiteId ?? null,
      successUrl: body.successUrl ?? null,
    };
    const problems = formDefinitionProblems(definition);
    if (problems.length > 0) throw validationProblem(problems);
    return new FormDto(await this.forms.create(definition));
  }

  @Get()
  @ApiOperation({ summary: 'List lead-capture forms', description: 'Every form, disabled ones included, oldest first.' })
  @ApiOkResponse({ type: [FormDto] })
  async list(): Promise<FormDto[]> {
    return (await this.forms.list()).map((form) => new FormDto(form));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A lead-capture form' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: FormDto })
  @ApiProblemResponse(404, 'No such form')
  async get(@Param('id', ParseUuidPipe) id: string): Promise<FormDto> {
    return new FormDto((await this.forms.get(id)) ?? notFound(id));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable a lead-capture form', description: 'Its key is refused (404) from now on; disabling it again changes nothing.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: FormDto })
  @ApiProblemResponse(404, 'No such form')
  async disable(@Param('id', ParseUuidPipe) id: string): Promise<FormDto> {
    return new FormDto((await this.forms.disable(id)) ?? notFound(id));
  }
}

function notFound(id: string): never {
  throw notFoundProblem(`no form ${id}`);
}
