import { Inject, Module } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Command, CommandBus, CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { type Decider } from '#domain';
import { serializePosition, type EventStore } from '#event-store';
import { EVENT_STORE } from '#providers';
import { runDecider, type CommandOutcome, type DomainEvent } from './decider-runner.js';
import { type CommandContext } from './command-context.js';

/**
 * The command side of a context whose every command goes to one stream, decided there alone
 * (customers, products, campaigns, visitors): its decider, and the stream a command is about.
 * Commands with more to do (a rep task moving between two streams, an erasure deleting a key) keep
 * their own handler.
 */
export interface StreamCommands<C, E extends DomainEvent, S> {
  readonly decider: Decider<C, E, S>;
  readonly streamOf: (command: C) => string;
  /** The schema version new events are written with (the event catalog's). */
  readonly schemaVersionOf: (type: string) => number;
}

/** A command of any such context; one handler serves them all. */
export class ExecuteStreamCommand<C, E extends DomainEvent, S> extends Command<CommandOutcome> {
  constructor(
    readonly streams: StreamCommands<C, E, S>,
    readonly command: C,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteStreamCommand)
export class ExecuteStreamCommandHandler implements ICommandHandler<ExecuteStreamCommand<unknown, DomainEvent, unknown>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute<C, E extends DomainEvent, S>({ streams, command, context }: ExecuteStreamCommand<C, E, S>): Promise<CommandOutcome> {
    return runDecider(this.store, streams.decider, streams.streamOf(command), command, context, { schemaVersionOf: streams.schemaVersionOf });
  }
}

/** Where the stream stands after a command, as every command route answers it (beside the stream's id). */
export class StreamCommandResultDto {
  @ApiProperty({ example: 3, description: "The stream's revision after the command" })
  revision!: number;

  @ApiProperty({
    example: '7520-118',
    description: 'Log position of the last event written; send it as X-Consistent-With to read your own write',
  })
  position!: string;
}

/** Runs the command on its stream through the bus; the revision and (serialised) position it answers. */
export async function executeOnStream<C, E extends DomainEvent, S>(
  bus: CommandBus,
  streams: StreamCommands<C, E, S>,
  command: C,
  context: CommandContext,
): Promise<StreamCommandResultDto> {
  const outcome = await bus.execute(new ExecuteStreamCommand(streams, command, context));
  return { revision: outcome.revision, position: serializePosition(outcome.position) };
}

/** Provides the one handler; import it into each module whose controllers use {@link executeOnStream}. */
@Module({ imports: [CqrsModule], providers: [ExecuteStreamCommandHandler] })
export class StreamCommandsModule {}
