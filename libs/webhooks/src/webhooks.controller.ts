import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '#auth';
import { ApiProblemResponse, notFoundProblem, PROBLEM_TYPES, ProblemException, validationProblem } from '#http';
import { eventTypeProblems, generateSecret } from './webhook.subscription.js';
import { WebhookStore, type SubscriptionRecord } from './webhook.store.js';
import { CreatedWebhookDto, CreateWebhookDto, DeliveriesQueryDto, DeliveryDto, DeliveryPageDto, WebhookDto } from './webhook.dto.js';

/**
 * Outbound webhooks, for operators: subscriptions, and what became of each delivery. The API only
 * writes PostgreSQL; the worker sends (and needs Redis). Ids that are not UUIDs name nothing: 404.
 */
@ApiTags('webhooks')
@Roles('admin')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookStore) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a receiver to events',
    description:
      'Events recorded from now on whose type is listed are POSTed to the URL, signed with the secret (generated when absent). ' +
      'The secret is in this response only.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiProblemResponse(400, 'Invalid or unknown field; an event type that does not exist, or repeated')
  async create(@Body() body: CreateWebhookDto): Promise<CreatedWebhookDto> {
    const problems = eventTypeProblems(body.eventTypes);
    if (problems.length > 0) throw validationProblem(problems);
    const created = await this.webhooks.create({
      url: body.url,
      eventTypes: body.eventTypes,
      secret: body.secret ?? generateSecret(),
      description: body.description?.trim() || null,
    });
    return new CreatedWebhookDto(created);
  }

  @Get()
  @ApiOperation({ summary: 'List webhook subscriptions', description: 'Every subscription, disabled ones included, oldest first; never their secrets.' })
  @ApiOkResponse({ type: [WebhookDto] })
  async list(): Promise<WebhookDto[]> {
    return (await this.webhooks.list()).map((record) => new WebhookDto(record));
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'A webhook subscription' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiProblemResponse(404, 'No such subscription')
  async get(@Param('id') id: string): Promise<WebhookDto> {
    return new WebhookDto(await this.subscription(id));
  }

  @Delete(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @HttpCode(204)
  @ApiOperation({
    summary: 'Disable a webhook subscription',
    description: 'Nothing more is sent to it; its unfinished deliveries are cancelled, its history kept. Deleting it again changes nothing.',
  })
  @ApiNoContentResponse({ description: 'Disabled' })
  @ApiProblemResponse(404, 'No such subscription')
  async disable(@Param('id') id: string): Promise<void> {
    if ((await this.webhooks.disable(id)) === null) throw subscriptionNotFound(id);
  }

  @Get(':id/deliveries')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: "A subscription's deliveries",
    description: 'Newest first (the reverse of the log order), each with its status and every attempt; `status` filters; keyset pages.',
  })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiProblemResponse(400, 'Invalid or unknown query parameter, or cursor')
  @ApiProblemResponse(404, 'No such subscription')
  async deliveries(@Param('id') id: string, @Query() query: DeliveriesQueryDto): Promise<DeliveryPageDto> {
    const subscription = await this.subscription(id);
    const page = await this.webhooks.deliveries(subscription.id, { status: query.status, limit: query.limit ?? 50, cursor: query.cursor });
    if (page === null) throw subscriptionNotFound(id);
    return new DeliveryPageDto(
      page.items.map((item) => new DeliveryDto(item)),
      page.nextCursor,
    );
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'One delivery, with every attempt' })
  @ApiParam({ name: 'deliveryId', format: 'uuid' })
  @ApiOkResponse({ type: DeliveryDto })
  @ApiProblemResponse(404, 'No such subscription, or no such delivery of it')
  async delivery(@Param('id') id: string, @Param('deliveryId') deliveryId: string): Promise<DeliveryDto> {
    const subscription = await this.subscription(id);
    const delivery = await this.webhooks.delivery(subscription.id, deliveryId);
    if (delivery === null) throw deliveryNotFound(deliveryId);
    return new DeliveryDto(delivery);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @ApiParam({ name: 'id', format: 'uuid' })
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a dead delivery again',
    description:
      'A fresh round of attempts (as many as WEBHOOK_MAX_ATTEMPTS), sent by the worker as soon as it can. The later events of the same ' +
      'stream went on after this one died, so the receiver gets this one after them.',
  })
  @ApiParam({ name: 'deliveryId', format: 'uuid' })
  @ApiAcceptedResponse({ type: DeliveryDto, description: 'Queued again' })
  @ApiProblemResponse(404, 'No such subscription, or no such delivery of it')
  @ApiProblemResponse(409, 'The delivery is not dead, or the subscription is disabled')
  async retry(@Param('id') id: string, @Param('deliveryId') deliveryId: string): Promise<DeliveryDto> {
    const subscription = await this.subscription(id);
    const result = await this.webhooks.retry(subscription.id, deliveryId);
    if (result === null) throw deliveryNotFound(deliveryId);
    if ('refused' in result) {
      throw new ProblemException({ type: PROBLEM_TYPES.conflict, title: 'Cannot retry', status: 409, detail: result.detail, reason: result.refused });
    }
    return new DeliveryDto(result.retried);
  }

  private async subscription(id: string): Promise<SubscriptionRecord> {
    const record = await this.webhooks.get(id);
    if (record === null) throw subscriptionNotFound(id);
    return record;
  }
}

function subscriptionNotFound(id: string): ProblemException {
  return notFoundProblem(`no webhook subscription ${id}`);
}

function deliveryNotFound(deliveryId: string): ProblemException {
  return notFoundProblem(`no delivery ${deliveryId} of this subscription`);
}
