import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './api-key.js';

// Kept beside the request rather than on it: no property added to a framework type.
const principals = new WeakMap<object, Principal>();

/** Records who sent the request (done by the guard once the key is checked). */
export function setPrincipal(request: object, principal: Principal): void {
  principals.set(request, principal);
}

/** Who sent the request; `undefined` on a public route. */
export function principalOf(request: object): Principal | undefined {
  return principals.get(request);
}

/** The authenticated {@link Principal}, as a handler parameter. Only on routes with `@Roles(...)`. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context.switchToHttp().getRequest<object>());
  if (!principal) throw new Error('@CurrentPrincipal() is only available on routes with @Roles(...)');
  return principal;
});
