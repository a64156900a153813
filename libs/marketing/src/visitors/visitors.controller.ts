import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext, CurrentCommand, executeOnStream, type StreamCommands } from '#commands';
import { ApiProblemResponse, ParseIdPipe } from '#http';
import { Roles } from '#auth';
import { visitorDecider, visitorStream, type VisitorCommand, type VisitorEvent, type VisitorState } from '#marketing/domain';
import { RecordClickDto } from '#customers';
import { schemaVersionOf } from '#event-catalog';
import { VisitorCommandResultDto } from './dto/visitor.dto.js';

const VISITORS: StreamCommands<VisitorCommand, VisitorEvent, VisitorState> = {
  decider: visitorDecider,
  streamOf: (command) => visitorStream(command.visitorId),
  schemaVersionOf,
};

const now = () => new Date().toISOString();

/**
 * Clicks of anonymous web visitors (`visitor-<visitorId>`, the ad tracker's cookie id), before
 * anyone knows who they are; a customer registered or a form submitted with the visitorId claims them.
 */
@ApiTags('visitors')
@Roles('service', 'admin')
@Controller('visitors')
@ApiProblemResponse(400, 'Malformed body, unknown field, or a field of the wrong type or format')
@ApiProblemResponse(413, 'Body too large')
export class VisitorsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':visitorId/clicks')
  @Command()
  @ApiOperation({
    summary: "Record an anonymous visitor's click on an ad, e-mail link or affiliate link",
    description: 'The body is that of a known customer’s click. A click id is recorded once per visitor.',
  })
  @ApiCreatedResponse({ type: VisitorCommandResultDto })
  recordClick(
    @Param('visitorId', ParseIdPipe) visitorId: string,
    @Body() body: RecordClickDto,
    @CurrentCommand() context: CommandContext,
  ): Promise<VisitorCommandResultDto> {
    return this.run(
      { type: 'RecordAnonymousClick', ...body, visitorId, clickId: body.clickId ?? context.commandId, occurredAt: body.occurredAt ?? now() },
      context,
    );
  }

  private async run(command: VisitorCommand, context: CommandContext): Promise<VisitorCommandResultDto> {
    return { visitorId: command.visitorId, ...(await executeOnStream(this.commandBus, VISITORS, command, context)) };
  }
}
