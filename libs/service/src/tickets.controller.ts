import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse, ParseIdPipe } from '#http';
import { Roles } from '#auth';
import { Command, CurrentCommand, executeOnStream, type CommandContext, type StreamCommands } from '#commands';
import type { AppConfig } from '#config';
import { customerStream } from '#customers/domain';
import { NotFoundError, fold } from '#domain';
import { schemaVersionOf } from '#event-catalog';
import type { EventStore } from '#event-store';
import { APP_CONFIG, EVENT_STORE } from '#providers';
import { formatTrackingNumber, parseTrackingNumber, ticketDecider, ticketStream, toTicketEvent, type TicketCommand, type TicketEvent, type TicketState } from '#service/domain';
import {
  AssignTicketDto,
  ChangeTicketPriorityDto,
  CommentOnTicketDto,
  OpenTicketDto,
  OpenedTicketDto,
  PutTicketOnHoldDto,
  ReopenTicketDto,
  ResolveTicketDto,
  TicketCommandResultDto,
  TicketDto,
} from './dto/ticket.dto.js';
import { TrackingNumbers } from './tracking-numbers.js';

const TICKETS: StreamCommands<TicketCommand, TicketEvent, TicketState> = {
  decider: ticketDecider,
  streamOf: (command) => ticketStream(command.ticketId),
  schemaVersionOf,
};

const now = () => new Date().toISOString();

/**
 * The service desk's tickets: each route turns its body into a command on the ticket's stream
 * (`ticket-<id>`); the decider says which transitions the ticket's status allows (422
 * `invalid_transition` otherwise). Ids a caller leaves out are derived from the command id.
 */
@ApiTags('tickets')
@Roles('service', 'admin')
@Controller('tickets')
@ApiProblemResponse(400, 'Malformed body, unknown field, or a field of the wrong type or format')
@ApiProblemResponse(413, 'Body too large')
export class TicketsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly trackingNumbers: TrackingNumbers,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Command()
  @ApiOperation({ summary: 'Open a ticket for a customer', description: 'Draws its tracking number (unique, per year) and answers it.' })
  @ApiCreatedResponse({ type: OpenedTicketDto })
  @ApiProblemResponse(404, 'Unknown customer')
  @ApiProblemResponse(422, 'A rule of the service desk refused it (a purchase line without its order, a ticket id in use)')
  async open(@Body() body: OpenTicketDto, @CurrentCommand() context: CommandContext): Promise<OpenedTicketDto> {
    if ((await this.store.streamRevision(customerStream(body.customerId))) === null) {
      throw new NotFoundError('customer_not_found', `no customer ${body.customerId}`, 'customerId');
    }
    const ticketId = body.ticketId ?? context.commandId;
    const openedAt = now();
    const trackingNumber = await this.trackingNumbers.numberFor(ticketId, new Date(openedAt));
    const result = await this.run({ type: 'OpenTicket', ...body, ticketId, trackingNumber, openedAt }, context);
    return { ...result, trackingNumber };
  }

  @Get('by-number/:number')
  @Roles('service', 'analyst', 'admin')
  @ApiOperation({ summary: 'Find a ticket by its tracking number', description: 'Any case and surrounding spaces accepted, as a person types it.' })
  @ApiOkResponse({ type: TicketDto })
  @ApiProblemResponse(404, 'No ticket holds that number, or it is not a tracking number')
  async byNumber(@Param('number') number: string): Promise<TicketDto> {
    const parsed = parseTrackingNumber(number);
    // Looked up in its one written form, however it was typed (case, spaces, extra leading zeros).
    const ticketId = parsed === undefined ? undefined : await this.trackingNumbers.ticketOf(formatTrackingNumber(parsed));
    // A number drawn for an open that then failed belongs to no ticket's stream.
    const ticket = ticketId === undefined ? undefined : await this.ticket(ticketId);
    if (ticket === undefined) throw new NotFoundError('ticket_not_found', `no ticket has the tracking number ${JSON.stringify(number.slice(0, 40))}`, 'number');
    return ticket;
  }

  @Get(':ticketId')
  @Roles('service', 'analyst', 'admin')
  @ApiOperation({ summary: 'A ticket as it stands now' })
  @ApiOkResponse({ type: TicketDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  async get(@Param('ticketId', ParseIdPipe) ticketId: string): Promise<TicketDto> {
    const ticket = await this.ticket(ticketId);
    if (ticket === undefined) throw new NotFoundError('ticket_not_found', `no ticket ${ticketId}`, 'ticketId');
    return ticket;
  }

  @Post(':ticketId/assign')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Give the ticket to an agent or to a team queue' })
  @ApiOkResponse({ type: TicketCommandResultDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  @ApiProblemResponse(422, 'Neither or both of agent and team, assigned there already, or not while resolved or closed')
  assign(@Param('ticketId', ParseIdPipe) ticketId: string, @Body() body: AssignTicketDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'AssignTicket', ...body, ticketId, assignedAt: now() }, context);
  }

  @Post(':ticketId/comments')
  @Command()
  @ApiOperation({ summary: 'Comment on the ticket', description: "Internal (the team's) or public (the customer's view); a customer's comment resumes a ticket waiting on them." })
  @ApiCreatedResponse({ type: TicketCommandResultDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  @ApiProblemResponse(422, 'A closed ticket, a comment id used before, an internal comment by the customer')
  comment(@Param('ticketId', ParseIdPipe) ticketId: string, @Body() body: CommentOnTicketDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'CommentOnTicket', ...body, ticketId, commentId: body.commentId ?? context.commandId, commentedAt: now() }, context);
  }

  @Post(':ticketId/priority')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: "Change the ticket's priority" })
  @ApiOkResponse({ type: TicketCommandResultDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  @ApiProblemResponse(422, 'The same priority, or not while resolved or closed')
  changePriority(@Param('ticketId', ParseIdPipe) ticketId: string, @Body() body: ChangeTicketPriorityDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'ChangeTicketPriority', ...body, ticketId, changedAt: now() }, context);
  }

  @Post(':ticketId/hold')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Wait on the customer', description: 'The SLA clocks pause until the customer answers or an agent resumes it.' })
  @ApiOkResponse({ type: TicketCommandResultDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  @ApiProblemResponse(422, 'Only an open ticket can wait on the customer')
  hold(@Param('ticketId', ParseIdPipe) ticketId: string, @Body() body: PutTicketOnHoldDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'PutTicketOnHold', ...body, ticketId, heldAt: now() }, context);
  }

  @Post(':ticketId/resume')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Resume a ticket waiting on the customer' })
  @ApiOkResponse({ type: TicketCommandResultDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  @ApiProblemResponse(422, 'Only a ticket waiting on the customer can resume')
  resume(@Param('ticketId', ParseIdPipe) ticketId: string, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'ResumeTicket', ticketId, resumedAt: now() }, context);
  }

  @Post(':ticketId/resolve')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Resolve the ticket with a resolution code' })
  @ApiOkResponse({ type: TicketCommandResultDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  @ApiProblemResponse(422, 'Resolved or closed already')
  resolve(@Param('ticketId', ParseIdPipe) ticketId: string, @Body() body: ResolveTicketDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'ResolveTicket', ...body, ticketId, resolvedAt: now() }, context);
  }

  @Post(':ticketId/close')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Close a resolved ticket' })
  @ApiOkResponse({ type: TicketCommandResultDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  @ApiProblemResponse(422, 'Only a resolved ticket can close')
  close(@Param('ticketId', ParseIdPipe) ticketId: string, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'CloseTicket', ticketId, closedAt: now() }, context);
  }

  @Post(':ticketId/reopen')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Reopen a resolved or closed ticket', description: 'Within TICKET_REOPEN_WINDOW_DAYS of its resolution; later, open a new one.' })
  @ApiOkResponse({ type: TicketCommandResultDto })
  @ApiProblemResponse(404, 'Unknown ticket')
  @ApiProblemResponse(422, 'Not resolved or closed, or the reopening window has passed')
  reopen(@Param('ticketId', ParseIdPipe) ticketId: string, @Body() body: ReopenTicketDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'ReopenTicket', ...body, ticketId, reopenedAt: now(), reopenWindowDays: this.config.service.reopenWindowDays }, context);
  }

  private async run(command: TicketCommand, context: CommandContext): Promise<TicketCommandResultDto> {
    return { ticketId: command.ticketId, ...(await executeOnStream(this.commandBus, TICKETS, command, context)) };
  }

  /** The ticket folded from its stream, or `undefined` when it was never opened. */
  private async ticket(ticketId: string): Promise<TicketDto | undefined> {
    const stored = await this.store.readStream(ticketStream(ticketId));
    const events = stored.flatMap((event) => toTicketEvent(event) ?? []);
    const state = fold(ticketDecider, events);
    const opened = events.find((event) => event.type === 'TicketOpened');
    if (!state.opened || opened?.type !== 'TicketOpened' || state.customerId === null || state.status === null) return undefined;
    return {
      ticketId,
      trackingNumber: opened.data.trackingNumber,
      customerId: state.customerId,
      status: state.status,
      channel: opened.data.channel,
      category: opened.data.category,
      priority: state.priority ?? opened.data.priority,
      // An erased customer's subject reads as the ERASED marker, not as a string.
      subject: typeof opened.data.subject === 'string' ? opened.data.subject : null,
      agentRepId: state.agentRepId,
      team: state.team,
      openedAt: opened.data.openedAt,
      resolvedAt: state.resolvedAt,
      resolutionCode: state.resolutionCode,
      closedAt: state.closedAt,
      reopenCount: state.reopenCount,
      revision: stored[stored.length - 1].revision,
    };
  }
}
