import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { runDecider, type CommandContext, type CommandOutcome } from '#commands';
import { customerDecider, customerStream, schemaVersionOf, type CustomerCommand } from '#domain';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';

/** Any command to a customer stream; one handler serves them all, the decider tells them apart. */
export class ExecuteCustomerCommand extends Command<CommandOutcome> {
  constructor(
    readonly command: CustomerCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteCustomerCommand)
export class ExecuteCustomerCommandHandler implements ICommandHandler<ExecuteCustomerCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ command, context }: ExecuteCustomerCommand): Promise<CommandOutcome> {
    return runDecider(this.store, customerDecider, customerStream(command.customerId), command, context, { schemaVersionOf });
  }
}
