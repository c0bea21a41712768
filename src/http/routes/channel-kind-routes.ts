import Router from '@koa/router';
import type { HttpDeps } from '../deps.js';

/** Placeholder: filled in by the console work (issue #5). */
export function channelKindRoutes(_deps: HttpDeps): Router {
  return new Router();
}
