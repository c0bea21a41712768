import type { Context } from 'koa';

/** The console's session cookie (contract: issue #5). */
export const SESSION_COOKIE = 'kb_session';

/**
 * Written by hand rather than through ctx.cookies: Koa refuses `secure` cookies unless it sees TLS
 * itself, and behind a TLS-terminating proxy without X-Forwarded-Proto it would not.
 */
function write(ctx: Context, value: string, maxAgeS: number, secure: boolean): void {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeS}`];
  if (secure) parts.push('Secure');
  ctx.append('Set-Cookie', parts.join('; '));
}

export function setSessionCookie(ctx: Context, token: string, expiresAt: Date, now: Date, secure: boolean): void {
  write(ctx, token, Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)), secure);
}

export function clearSessionCookie(ctx: Context, secure: boolean): void {
  write(ctx, '', 0, secure);
}

/** Session tokens are base64url; anything else is not worth a database round trip. */
export function readSessionCookie(ctx: Context): string | null {
  const value = ctx.cookies.get(SESSION_COOKIE);
  return value && /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
}
