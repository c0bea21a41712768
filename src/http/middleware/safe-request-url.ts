import type { Context, Next } from 'koa';
import { isSafeText } from '../../domain/text.js';

/** Why a URL is refused, or null. `+` is a space in a query and never an escape. */
export function urlProblem(path: string, querystring: string): string | null {
  for (const part of [path, querystring.replaceAll('+', ' ')]) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return 'the URL is not valid percent-encoded UTF-8';
    }
    if (!isSafeText(decoded)) return 'the URL holds a NUL character';
  }
  return null;
}

/**
 * Refuses, before any route runs, a request whose path or query decodes to NUL or does not decode
 * at all (issue 11: `/webhooks/wecom/<id>%00` and `?q=%00` reached PostgreSQL and answered 500).
 * Platforms get a bare 400, as every webhook refusal (platform-webhooks.ts); everyone else the
 * API's JSON error. Goes first in the app, before the webhook routes.
 */
export function safeRequestUrl() {
  return async (ctx: Context, next: Next) => {
    const problem = urlProblem(ctx.path, ctx.querystring);
    if (problem === null) {
      await next();
      return;
    }
    ctx.status = 400;
    if (ctx.path.startsWith('/webhooks/')) {
      ctx.type = 'text/plain';
      ctx.body = '';
    } else {
      ctx.body = { error: { code: 'REQUEST.MALFORMED_URL', message: problem } };
    }
  };
}
