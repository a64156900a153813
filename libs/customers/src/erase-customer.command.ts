import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { runDecider, type CommandContext, type CommandOutcome } from '#commands';
import { RuleViolationError } from '#domain';
import { customerDecider, customerStream, type EraseCustomer } from '#customers/domain';
import { schemaVersionOf } from '#event-catalog';
import type { DataKeyStore, EventStore } from '#event-store';
import { DATA_KEYS, EVENT_STORE } from '#providers';

/** Erases a person: their personal data becomes unreadable in the log, and the erasure is recorded. */
export class EraseCustomerCommand extends Command<CommandOutcome> {
  constructor(
    readonly command: EraseCustomer,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EraseCustomerCommand)
export class EraseCustomerCommandHandler implements ICommandHandler<EraseCustomerCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_KEYS) private readonly keys: DataKeyStore,
  ) {}

  async execute({ command, context }: EraseCustomerCommand): Promise<CommandOutcome> {
    const stream = customerStream(command.customerId);
    // The key goes first: should the append then fail, a retry finds it gone and records the
    // erasure; the other order could leave an erasure on record with the data still readable.
    // Deleting the key of an unknown customer deletes nothing, and the decider then answers 404.
    await this.keys.erase(stream);
    let outcome: CommandOutcome;
    try {
      outcome = await runDecider(this.store, customerDecider, stream, command, context, { schemaVersionOf });
    } catch (error) {
      // Erased before: seal anyway, should that erasure have stopped short of it (a crash).
      if (error instanceof RuleViolationError && error.reason === 'customer_erased') await this.keys.seal(stream);
      throw error;
    }
    // Only now that the erasure is on record, so an unknown customer (404) or a failed append seals
    // nothing. The seal deletes a key created by a command appended between the steps, and a
    // command still running (it read the stream before the erasure) gets no new key but a 422.
    await this.keys.seal(stream);
    return outcome;
  }
}
