import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { UnauthorizedError } from '../../domain/errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer ADMIN_TOKEN (DESIGN.md §4.2). Compared as SHA-256 digests so the comparison is
 * constant-time whatever the length of what was sent. User sessions arrive with the console.
 */
export function requireAdmin(adminToken: string) {
  const expected = digest(adminToken);
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1].trim()), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedError();
    }
    ctx.state.actor = { id: 'admin-token', role: 'admin' };
    await next();
  };
}
