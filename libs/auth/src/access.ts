import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblemResponse } from '#http';
import type { Role } from './api-key.js';

/** Who may call a route; a route (or its controller) without one is denied to everyone. */
export type RouteAccess = { readonly kind: 'public' } | { readonly kind: 'roles'; readonly roles: readonly Role[] };

export const ROUTE_ACCESS = Symbol('crm:route-access');

/** Name of the bearer security scheme in the OpenAPI document. */
export const API_KEY_SECURITY = 'api-key';

/** Open to anyone, without a key (health, the OpenAPI document). */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata<symbol, RouteAccess>(ROUTE_ACCESS, { kind: 'public' });
}

/**
 * Open to keys of these roles only (`admin` is not implied). On a controller, applies to each of
 * its routes; a route's own `@Roles` or `@Public` replaces the controller's.
 */
export function Roles(...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata<symbol, RouteAccess>(ROUTE_ACCESS, { kind: 'roles', roles }),
    ApiBearerAuth(API_KEY_SECURITY),
    ApiProblemResponse(401, 'No API key, or an unknown or revoked one'),
    ApiProblemResponse(403, `The API key's role is not ${roles.join(' or ')}`),
  );
}
