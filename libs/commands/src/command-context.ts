import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { uuidFromDigest, type EventMetadataInput } from '#event-store';

/**
 * What a command handler needs besides the body. It is the events' metadata as it stands, so it
 * can be passed as `metadata` of each appended event; event ids come from
 * `eventIdFor(commandId, index)`.
 */
export interface CommandContext extends EventMetadataInput {
  /** Derived from the Idempotency-Key when one is sent, so a retry appends nothing new; random otherwise. */
  readonly commandId: string;
  /** The X-Correlation-Id header, or the command id. */
  readonly correlationId: string;
  /** The command itself: the cause of the events it appends. */
  readonly causationId: string;
  /** The API key that sent it, as `<role>:<key name>`, e.g. `service:webshop`. */
  readonly actor: string;
}

// A fixed namespace: the same (API key, Idempotency-Key) always gives the same command id.
const COMMAND_ID_NAMESPACE = Buffer.from('2b7e8f0a5c3d4e1f9a6b0c7d8e2f4a51', 'hex');

/**
 * The command id of a request sent with an Idempotency-Key (a UUID, version 5 layout). The API key
 * is part of it: two clients picking the same Idempotency-Key must not produce the same event ids.
 */
export function commandIdFor(principalKeyId: string, idempotencyKey: string): string {
  // Marked version 5, as ids made before stay what they were.
  return uuidFromDigest(createHash('sha256').update(COMMAND_ID_NAMESPACE).update(`${principalKeyId}\n${idempotencyKey}`).digest(), 5);
}

const contexts = new WeakMap<object, CommandContext>();

export function setCommandContext(request: object, context: CommandContext): void {
  contexts.set(request, context);
}

export function commandContextOf(request: object): CommandContext | undefined {
  return contexts.get(request);
}

/** The request's {@link CommandContext}, as a handler parameter. Only on `@Command()` routes. */
export const CurrentCommand = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const command = commandContextOf(context.switchToHttp().getRequest<object>());
  if (!command) throw new Error('@CurrentCommand() is only available on routes with @Command()');
  return command;
});
