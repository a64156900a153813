import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { runDecider, type CommandContext, type CommandOutcome } from '#commands';
import { fold } from '#domain';
import { reassignedTask, repDecider, repStream, toRepEvent, type ReassignTask, type RepCommand } from '#sales/domain';
import { schemaVersionOf } from '#event-catalog';
import { eventIdFor, type EventStore } from '#event-store';
import { EVENT_STORE } from '#providers';

/** Any command to a rep stream; one handler serves them all, the decider tells them apart. */
export class ExecuteRepCommand extends Command<CommandOutcome> {
  constructor(
    readonly command: RepCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteRepCommand)
export class ExecuteRepCommandHandler implements ICommandHandler<ExecuteRepCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ command, context }: ExecuteRepCommand): Promise<CommandOutcome> {
    return command.type === 'ReassignTask' ? this.reassign(command, context) : this.run(command, context);
  }

  private run(command: RepCommand, context: CommandContext): Promise<CommandOutcome> {
    return runDecider(this.store, repDecider, repStream(command.repId), command, context, { schemaVersionOf });
  }

  /**
   * Two streams and no transaction across them: the target's `TaskAssigned` is appended first (so
   * the task is never held by nobody), then the source's `TaskReassigned`. The target's events
   * belong to a sub-command whose id is derived from this command's, which keeps event ids apart
   * across the two streams and the same on a retry: a retry with the same Idempotency-Key after a
   * failure between the appends finds the target's event already there (runDecider answers its
   * original outcome instead of deciding again) and appends the source's, completing the
   * reassignment once. The answer is the source's revision and the later position.
   */
  private async reassign(command: ReassignTask, context: CommandContext): Promise<CommandOutcome> {
    const source = await this.store.readStream(repStream(command.repId));
    // When the source recorded this command already, the target did before it: nothing to check or assign.
    if (!source.some((event) => event.metadata.commandId === context.commandId)) {
      const assignment = reassignedTask(command, fold(repDecider, source.flatMap((event) => toRepEvent(event) ?? [])));
      await this.run(assignment, { ...context, commandId: eventIdFor(context.commandId, 1) });
    }
    return this.run(command, context);
  }
}
