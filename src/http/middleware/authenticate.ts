import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { UnauthorizedError } from '../../domain/errors.js';
import { ADMIN_TOKEN_ACTOR, type Actor, type User } from '../../domain/user.js';
import { resolveSession } from '../../usecases/resolve-session.js';
import type { HttpDeps } from '../deps.js';
import { clearSessionCookie, readSessionCookie, SESSION_COOKIE } from '../session-cookie.js';

/** What a signed-in request carries in ctx.state (set here, read by the guards and routes). */
export interface AuthState {
  actor?: Actor;
  /** Present for cookie sessions only; the bearer token has none (and needs no CSRF token). */
  session?: { token: string; csrfToken: string; user: User };
}

/**
 * The signed-in caller, for a route behind the agent or admin guard (app.ts apiGuard): Koa types
 * ctx.state as `any`, so routes read the actor through this (issue 16 item 4). No actor is a 401,
 * as requireRole answers, should a route ever be reachable without the guard.
 */
export function actorOf(ctx: Pick<Context, 'state'>): Actor {
  const { actor } = ctx.state as AuthState;
  if (!actor) throw new UnauthorizedError();
  return actor;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Finds out who is calling; refuses no one by itself (the role guard does). Bearer ADMIN_TOKEN wins
 * over a cookie: automation sends no cookies, and a cross-site page cannot set the header. A wrong
 * bearer token is refused outright rather than falling back to the cookie. Other schemes are not
 * ours and are ignored: a reverse proxy guarding the console with Basic auth forwards its header,
 * and that must not lock everyone out of the login (outside probe, issue 16).
 */
export function authenticate(deps: HttpDeps) {
  // Compared as SHA-256 digests so the comparison is constant-time whatever length was sent.
  const expected = digest(deps.adminToken);
  return async (ctx: Context, next: Next) => {
    const state = ctx.state as AuthState;
    const header = ctx.get('authorization');
    if (/^Bearer(\s|$)/i.test(header)) {
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match || !timingSafeEqual(digest(match[1].trim()), expected)) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new UnauthorizedError('invalid bearer token');
      }
      state.actor = ADMIN_TOKEN_ACTOR;
      await next();
      return;
    }
    const token = readSessionCookie(ctx);
    const resolved = token ? await resolveSession(deps.core, token) : null;
    if (token && resolved) {
      state.actor = resolved.actor;
      state.session = { token, csrfToken: resolved.csrfToken, user: resolved.user };
    } else if (ctx.cookies.get(SESSION_COOKIE)) {
      // Expired, logged out or forged: tell the browser to stop sending it.
      clearSessionCookie(ctx, deps.secureCookies ?? false);
    }
    await next();
  };
}
