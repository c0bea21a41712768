import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { ForbiddenError } from '../../domain/errors.js';
import type { AuthState } from './authenticate.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Cookie sessions must echo their CSRF token in X-CSRF-Token on every unsafe method (ASVS 3.5.1).
 * SameSite=Lax already keeps the cookie off cross-site POSTs in current browsers; the token also
 * covers same-site attackers (a sibling subdomain) and browsers without SameSite. Another page can
 * neither read the token nor set the header. Bearer requests carry no session and pass.
 */
export function csrfProtection() {
  return async (ctx: Context, next: Next) => {
    const { session } = ctx.state as AuthState;
    if (session && !SAFE_METHODS.has(ctx.method)) {
      const sent = ctx.get('x-csrf-token');
      if (!sent || !timingSafeEqual(digest(sent), digest(session.csrfToken))) throw new ForbiddenError('missing or wrong X-CSRF-Token', 'AUTH.CSRF');
    }
    await next();
  };
}
