import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { concatMap, from, of, throwError, catchError, type Observable } from 'rxjs';
import { actorOf, principalOf } from '#auth';
import type { JsonValue } from '#event-store';
import { PROBLEM_TYPES, ProblemException } from '#http';
import { commandIdFor, setCommandContext } from './command-context.js';
import { COMMAND_ROUTE } from './command.decorator.js';
import { CORRELATION_ID_HEADER, headerToken, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, requestHash } from './command-request.js';
import { IdempotencyStore, type IdempotencyLease } from './idempotency.store.js';

/** What the interceptor reads of a request (Express's request has it). */
interface CommandRequest extends IncomingMessage {
  readonly originalUrl: string;
  readonly body?: unknown;
}

/**
 * The global interceptor (APP_INTERCEPTOR) of `@Command()` routes: builds the command context and
 * applies Idempotency-Key. With a key: the first request runs and its response is stored; a retry
 * of the same request gets that response again without running; a different request under the key
 * is a 422 and a concurrent one a 409. A request that fails (4xx, 5xx) leaves no record, so the
 * client can fix it and retry with the same key.
 */
@Injectable()
export class CommandInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Commands');

  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http' || !this.reflector.getAllAndOverride<boolean | undefined>(COMMAND_ROUTE, [context.getHandler(), context.getClass()])) {
      return next.handle();
    }
    const request = context.switchToHttp().getRequest<CommandRequest>();
    const response = context.switchToHttp().getResponse<ServerResponse>();
    const principal = principalOf(request);
    if (!principal) throw new Error('a @Command() route needs @Roles(...): idempotency keys belong to the API key that sent them');

    const idempotencyKey = headerToken(request.headers, IDEMPOTENCY_KEY_HEADER);
    const correlationId = headerToken(request.headers, CORRELATION_ID_HEADER);
    const commandId = idempotencyKey === undefined ? randomUUID() : commandIdFor(principal.keyId, idempotencyKey);
    setCommandContext(request, { commandId, correlationId: correlationId ?? commandId, causationId: commandId, actor: actorOf(principal) });
    if (idempotencyKey === undefined) return next.handle();

    const hash = requestHash(request.method ?? '', request.originalUrl, request.body);
    const claim = await this.store.claim({ principalKeyId: principal.keyId, key: idempotencyKey }, hash);
    switch (claim.outcome) {
      case 'replay':
        response.statusCode = claim.response.status;
        response.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
        return of(claim.response.body);
      case 'in_progress':
        throw new ProblemException({
          type: PROBLEM_TYPES.idempotencyKeyInProgress,
          title: 'Request in progress',
          status: 409,
          detail: `a request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry later`,
        });
      case 'mismatch':
        throw new ProblemException({
          type: PROBLEM_TYPES.idempotencyKeyReused,
          title: 'Idempotency key reused',
          status: 422,
          detail: `this ${IDEMPOTENCY_KEY_HEADER} was used for a different request (method, path or body); use a new key`,
        });
      case 'acquired': {
        const { lease } = claim;
        return next.handle().pipe(
          concatMap(async (body: unknown) => {
            await this.complete(lease, response.statusCode, body);
            return body;
          }),
          catchError((error: unknown) => from(this.release(lease)).pipe(concatMap(() => throwError(() => error)))),
        );
      }
    }
  }

  /** Stores the response as the client receives it (JSON). If that fails, the key is released: a retry runs again, harmlessly. */
  private async complete(lease: IdempotencyLease, status: number, body: unknown): Promise<void> {
    const json = body === undefined ? null : (JSON.parse(JSON.stringify(body)) as JsonValue);
    try {
      await this.store.complete(lease, { status, body: json });
    } catch (error) {
      this.logger.error(`storing the response of an idempotent request failed: ${String(error)}`, error instanceof Error ? error.stack : undefined);
      await this.release(lease);
    }
  }

  private async release(lease: IdempotencyLease): Promise<void> {
    // A row left behind only delays a retry until its lease ends.
    await this.store.release(lease).catch((error: unknown) => this.logger.warn(`releasing an idempotency key failed: ${String(error)}`));
  }
}
