import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PROBLEM_TYPES, ProblemException } from '#http';
import type { IncomingMessage } from 'node:http';
import { parseBearerToken, type Principal } from './api-key.js';
import { ApiKeyService } from './api-key.service.js';
import { ROUTE_ACCESS, type RouteAccess } from './access.js';
import { setPrincipal } from './principal.js';

const REALM = 'crm';

/**
 * The global guard (APP_GUARD): a route is open only as its `@Public()` or `@Roles(...)` says,
 * and a route that says neither is denied (secure by default). No key, a malformed header, or an
 * unknown or revoked key: 401 with a `WWW-Authenticate: Bearer` challenge; a role the route does
 * not admit: 403.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Only HTTP routes exist; any other kind of handler added later is denied until it gets its own check.
    if (context.getType() !== 'http') return false;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (access?.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const principal = await this.authenticate(request.headers.authorization);
    setPrincipal(request, principal);
    if (access === undefined) throw forbidden('this route is open to no role');
    if (!access.roles.includes(principal.role)) {
      throw forbidden(`this route needs a key with role ${access.roles.join(' or ')}; this key has role ${principal.role}`);
    }
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    const bearer = parseBearerToken(header);
    switch (bearer.kind) {
      case 'missing':
        throw unauthenticated('send an API key: Authorization: Bearer <api key>', `Bearer realm="${REALM}"`);
      case 'malformed':
        throw unauthenticated('malformed Authorization header (expected "Bearer <api key>")', `Bearer realm="${REALM}", error="invalid_request"`);
      case 'token': {
        const principal = await this.apiKeys.authenticate(bearer.token);
        // Unknown and revoked look alike: the answer must not tell which keys exist.
        if (!principal) throw unauthenticated('unknown or revoked API key', `Bearer realm="${REALM}", error="invalid_token"`);
        return principal;
      }
    }
  }
}

function unauthenticated(detail: string, challenge: string): ProblemException {
  return new ProblemException(
    { type: PROBLEM_TYPES.unauthenticated, title: 'Authentication required', status: 401, detail },
    { headers: { 'WWW-Authenticate': challenge } },
  );
}

function forbidden(detail: string): ProblemException {
  return new ProblemException({ type: PROBLEM_TYPES.forbidden, title: 'Forbidden', status: 403, detail });
}
