import type { Context, Next } from 'koa';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors.js';
import { roleAllows, type Role } from '../../domain/user.js';
import type { AuthState } from './authenticate.js';

/** 401 AUTH.REQUIRED without an actor, 403 AUTH.FORBIDDEN with too small a role. Runs after authenticate. */
export function requireRole(role: Role) {
  return async (ctx: Context, next: Next) => {
    const { actor } = ctx.state as AuthState;
    if (!actor) throw new UnauthorizedError();
    if (!roleAllows(actor.role, role)) throw new ForbiddenError(`this needs the ${role} role`);
    await next();
  };
}
