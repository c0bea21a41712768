import Router from '@koa/router';
import { z } from 'zod';
import type { AuthState } from '../middleware/authenticate.js';
import { login } from '../../usecases/login.js';
import { logout } from '../../usecases/logout.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { routeDocs } from '../openapi-route.js';
import { clearSessionCookie, setSessionCookie } from '../session-cookie.js';
import { userView } from '../user-view.js';

// Loose on purpose: the login form says nothing about what a valid email looks like.
const loginSchema = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(1024) }).strict();

/** /api/auth: login is public; me and logout need a session (or the bearer token). */
export function authRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/auth' });
  const secure = deps.secureCookies ?? false;

  router.post('/login', async (ctx) => {
    const input = parseBody(loginSchema, await readJson(ctx));
    const previousToken = (ctx.state as AuthState).session?.token;
    const result = await login(deps.core, { ...input, ip: ctx.ip, previousToken });
    setSessionCookie(ctx, result.token, result.expiresAt, deps.core.clock.now(), secure);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { user: userView(result.user), csrfToken: result.csrfToken };
  });

  router.get('/me', (ctx) => {
    const { actor, session } = ctx.state as AuthState;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = session
      ? { user: userView(session.user), csrfToken: session.csrfToken }
      : { user: { id: actor!.id, email: null, name: 'ADMIN_TOKEN', role: actor!.role }, csrfToken: null };
  });

  router.post('/logout', async (ctx) => {
    const { actor, session } = ctx.state as AuthState;
    if (session) await logout(deps.core, actor!, session.token);
    clearSessionCookie(ctx, secure);
    ctx.status = 204;
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const authRouteDocs = routeDocs('Auth', [
  {
    method: 'post', path: '/api/auth/login', summary: 'Sign in: sets the session cookie and answers the CSRF token',
    description: 'Cookie sessions send the answered csrfToken as X-CSRF-Token on every POST, PUT, PATCH and DELETE.',
    body: { schema: loginSchema, example: { email: 'admin@example.com', password: 'correct horse battery' } },
  },
  { method: 'get', path: '/api/auth/me', summary: 'Who is signed in, and the CSRF token of this session' },
  { method: 'post', path: '/api/auth/logout', summary: 'Sign out: ends the session and clears the cookie', answer: { status: 204 } },
]);
