import type { Context, Next } from 'koa';
import { AppError, RateLimitedError } from '../../domain/errors.js';
import type { Log } from '../../ports/logger.js';

/**
 * The edge where AppErrors become HTTP answers: JSON `{"error":{code,message}}` for the API
 * (DESIGN.md §4.2). Webhook routes answer platforms themselves and only borrow `statusOf`.
 */
export function statusOf(err: unknown): number {
  return err instanceof AppError ? err.httpStatus : 500;
}

export function errorHandler(log: Log) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      const status = statusOf(err);
      const app = err instanceof AppError ? err : null;
      if (status >= 500) log.error({ err: (err as Error)?.message, stack: (err as Error)?.stack, path: ctx.path }, 'request failed');
      ctx.status = status;
      if (err instanceof RateLimitedError) ctx.set('Retry-After', String(err.retryAfterS));
      ctx.body = {
        error: {
          code: app?.code ?? 'INTERNAL',
          message: app?.expose ? app.message : 'internal error',
        },
      };
    }
  };
}
