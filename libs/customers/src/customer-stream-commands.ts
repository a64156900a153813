import type { StreamCommands } from '#commands';
import { customerDecider, customerStream, type CustomerCommand, type CustomerEvent, type CustomerState } from '#customers/domain';
import { schemaVersionOf } from '#event-catalog';

/** Commands on a customer's stream, run through the CommandBus (ExecuteStreamCommand): by the HTTP routes and by jobs. */
export const CUSTOMER_STREAM_COMMANDS: StreamCommands<CustomerCommand, CustomerEvent, CustomerState> = {
  decider: customerDecider,
  streamOf: (command) => customerStream(command.customerId),
  schemaVersionOf,
};
