import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Router from '@koa/router';
import { NotFoundError } from '../../domain/errors.js';
import { openApiDocument } from '../openapi.js';
import { DOCS_ASSETS, DOCS_CSP, DOCS_HTML } from '../openapi-docs-page.js';

/**
 * issue 16 item 3: GET /api/openapi.json, the document, and /api/docs, the page rendering it.
 * Public (middleware/api-access.ts): the document describes the API, it holds no data or secrets.
 */
export function docsRoutes(): Router {
  const router = new Router({ prefix: '/api' });
  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = openApiDocument();
  });
  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', DOCS_CSP);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'html';
    ctx.body = DOCS_HTML;
  });
  router.get('/docs/:file', async (ctx) => {
    // An own-property lookup: `constructor` or `__proto__` must not name anything.
    const asset = Object.hasOwn(DOCS_ASSETS, ctx.params.file) ? DOCS_ASSETS[ctx.params.file] : undefined;
    if (!asset) throw new NotFoundError('ROUTE.NOT_FOUND', 'no such file');
    ctx.type = asset.type;
    // Not content-hashed names: cached briefly, so an upgraded swagger-ui-dist shows within the hour.
    ctx.set('Cache-Control', 'public, max-age=3600');
    if (asset.text !== undefined) {
      ctx.body = asset.text;
      return;
    }
    const file = asset.file!;
    ctx.length = (await stat(file)).size;
    // HEAD: Koa sends the headers only; a stream nobody reads would hold a file handle open.
    if (ctx.method !== 'HEAD') ctx.body = createReadStream(file);
  });
  return router;
}
