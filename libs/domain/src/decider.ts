/**
 * A bounded context's write model as plain functions: `decide` turns a command and the current
 * state into new events (or throws a {@link DomainError}); `evolve` folds one event into the state.
 * No I/O, no framework: the command side loads, decides and appends.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

/** State after every event of a history. */
export function fold<Event, State>(decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>, events: Iterable<Event>): State {
  let state = decider.initialState;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** A command the domain refuses. `kind` says why, for the HTTP status a caller gets. */
export abstract class DomainError extends Error {
  abstract readonly kind: 'not_found' | 'rule_violated';
  constructor(
    /** Stable machine-readable reason, e.g. `refund_exceeds_purchase`. */
    readonly reason: string,
    message: string,
    /** The command field at fault, when there is one (e.g. `lines[1].quantity`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream does not hold what the command is about (HTTP 404). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** The command breaks a business rule (HTTP 422). */
export class RuleViolationError extends DomainError {
  readonly kind = 'rule_violated';
}

/** One function per command type of `C`, each given its own command: a decider's dispatch, exhaustive by type. */
export type CommandHandlers<C extends { readonly type: string }, S, E> = {
  readonly [K in C['type']]: (command: Extract<C, { readonly type: K }>, state: S) => E;
};

/** Runs the handler of `command`'s type. */
export function handleCommand<C extends { readonly type: string }, S, E>(handlers: CommandHandlers<C, S, E>, command: C, state: S): E {
  const handler = handlers[command.type as C['type']] as (command: C, state: S) => E;
  return handler(command, state);
}
