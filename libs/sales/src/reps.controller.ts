import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse, ParseIdPipe } from '#http';
import { Roles } from '#auth';
import { Command, CurrentCommand, type CommandContext } from '#commands';
import type { RepCommand } from '#sales/domain';
import { serializePosition } from '#event-store';
import { SetCommissionPlanDto } from './dto/commission-plan.dto.js';
import { SetGoalDto } from './dto/goal.dto.js';
import { DeactivateRepDto, OnboardRepDto, RepCommandResultDto } from './dto/rep.dto.js';
import { AssignTaskDto, CompleteTaskDto, ReassignTaskDto } from './dto/tasks.dto.js';
import { ExecuteRepCommand } from './execute-rep.command.js';

const now = () => new Date().toISOString();

/**
 * The write side of the sales-rep context: each route turns its body into a domain command and
 * answers where the rep's stream stands after it. Ids a caller leaves out are derived from the
 * command id, so a retry with the same Idempotency-Key describes the same thing.
 */
@ApiTags('reps')
@Roles('service', 'admin')
@Controller('reps')
@ApiProblemResponse(400, 'Malformed body, unknown field, or a field of the wrong type or format')
@ApiProblemResponse(413, 'Body too large')
export class RepsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Command()
  @ApiOperation({ summary: 'Onboard a sales rep' })
  @ApiCreatedResponse({ type: RepCommandResultDto })
  onboard(@Body() body: OnboardRepDto, @CurrentCommand() context: CommandContext): Promise<RepCommandResultDto> {
    return this.run({ type: 'OnboardRep', ...body, repId: body.repId ?? context.commandId, onboardedAt: now() }, context);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Deactivate a rep', description: 'Final: a deactivated rep takes no further command.' })
  @ApiOkResponse({ type: RepCommandResultDto })
  @ApiProblemResponse(404, 'Unknown rep')
  deactivate(@Param('id', ParseIdPipe) id: string, @Body() body: DeactivateRepDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'DeactivateRep', ...body, repId: id, deactivatedAt: now() }, context);
  }

  @Post(':id/commission-plans')
  @Command()
  @ApiOperation({
    summary: 'Set the commission plan from a date on',
    description: 'Plans never change the past: a plan takes effect today at the earliest, and after the latest plan.',
  })
  @ApiCreatedResponse({ type: RepCommandResultDto })
  @ApiProblemResponse(404, 'Unknown rep')
  setCommissionPlan(@Param('id', ParseIdPipe) id: string, @Body() body: SetCommissionPlanDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'SetCommissionPlan', ...body, repId: id, planId: body.planId ?? context.commandId, setAt: now() }, context);
  }

  @Post(':id/goals')
  @Command()
  @ApiOperation({ summary: "Set a month's, quarter's or year's goal", description: 'Replaces an earlier goal of the same period.' })
  @ApiCreatedResponse({ type: RepCommandResultDto })
  @ApiProblemResponse(404, 'Unknown rep')
  setGoal(@Param('id', ParseIdPipe) id: string, @Body() body: SetGoalDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'SetGoal', ...body, repId: id, setAt: now() }, context);
  }

  @Post(':id/tasks')
  @Command()
  @ApiOperation({ summary: 'Assign a task to the rep' })
  @ApiCreatedResponse({ type: RepCommandResultDto })
  @ApiProblemResponse(404, 'Unknown rep')
  assignTask(@Param('id', ParseIdPipe) id: string, @Body() body: AssignTaskDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'AssignTask', ...body, repId: id, taskId: body.taskId ?? context.commandId, assignedAt: now() }, context);
  }

  @Post(':id/tasks/:taskId/complete')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Complete an open task of the rep' })
  @ApiOkResponse({ type: RepCommandResultDto })
  @ApiProblemResponse(404, 'Unknown rep or task')
  completeTask(
    @Param('id', ParseIdPipe) id: string,
    @Param('taskId', ParseIdPipe) taskId: string,
    @Body() body: CompleteTaskDto,
    @CurrentCommand() context: CommandContext,
  ) {
    return this.run({ type: 'CompleteTask', ...body, repId: id, taskId, completedAt: now() }, context);
  }

  @Post(':id/tasks/:taskId/reassign')
  @HttpCode(200)
  @Command()
  @ApiOperation({
    summary: 'Hand an open task over to another active rep',
    description:
      "Assigns it on the other rep's stream, then records the hand-over on this one; the answer is this rep's revision. " +
      'Send an Idempotency-Key: a retry after a failure between the two completes the hand-over once.',
  })
  @ApiOkResponse({ type: RepCommandResultDto })
  @ApiProblemResponse(404, 'Unknown rep, task or target rep')
  reassignTask(
    @Param('id', ParseIdPipe) id: string,
    @Param('taskId', ParseIdPipe) taskId: string,
    @Body() body: ReassignTaskDto,
    @CurrentCommand() context: CommandContext,
  ) {
    return this.run({ type: 'ReassignTask', ...body, repId: id, taskId, reassignedAt: now() }, context);
  }

  private async run(command: RepCommand, context: CommandContext): Promise<RepCommandResultDto> {
    const outcome = await this.commandBus.execute(new ExecuteRepCommand(command, context));
    return { repId: command.repId, revision: outcome.revision, position: serializePosition(outcome.position) };
  }
}
