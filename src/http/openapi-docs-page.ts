/**
 * The /api/docs page (issue 16 item 3): Swagger UI from the swagger-ui-dist package, served by
 * this service (no CDN), started by a script file of our own so the page needs no inline script.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { routeDocs } from './openapi-route.js';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * Only our own files; inline styles because Swagger UI sets style attributes, data: images because
 * its stylesheet embeds its icons as data: URLs (swagger-api/swagger-ui#7540). No 'unsafe-eval'.
 * connect-src 'self': "Try it out" calls this service only. Nobody may frame it.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** validatorUrl null: the default sends the document to validator.swagger.io, which the CSP forbids anyway. */
const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });
});
`;

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kefu-bridge API</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

/** The files under /api/docs/: a file in swagger-ui-dist, or our own text. Nothing else is served. */
export const DOCS_ASSETS: Record<string, { type: string; file?: string; text?: string }> = {
  'swagger-ui.css': { type: 'css', file: join(swaggerUiDir, 'swagger-ui.css') },
  'swagger-ui-bundle.js': { type: 'js', file: join(swaggerUiDir, 'swagger-ui-bundle.js') },
  'init.js': { type: 'js', text: INIT_JS },
};

/** The OpenAPI description of routes/docs-routes.ts (its assets are files for the page, not API). */
export const docsRouteDocs = routeDocs('API reference', [
  { method: 'get', path: '/api/openapi.json', summary: 'This document (OpenAPI 3.1)' },
  { method: 'get', path: '/api/docs', summary: 'This document, rendered (Swagger UI)', answer: { type: 'text/html' } },
]);
