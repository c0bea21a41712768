import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Koa from 'koa';
import Router from '@koa/router';
import { createApp } from '../../src/http/app.js';
import type { HttpDeps } from '../../src/http/deps.js';
import { accessFor } from '../../src/http/middleware/api-access.js';
import { openApiDocument, ROUTE_DOCS } from '../../src/http/openapi.js';
import { isJsonBody } from '../../src/http/openapi-route.js';

/**
 * issue 16 item 3: the OpenAPI document against the routers the app really registers, both ways,
 * and its request examples against the routes' own schemas.
 */

/**
 * Registered but not in the document, on purpose: files for browsers, not API. Each must still be
 * registered (checked below), so the list cannot go stale.
 */
const NOT_API: Record<string, string> = {
  'GET /': 'redirects to the console',
  'GET /console': 'the console SPA (static files)',
  'GET /console/{*path}': 'the console SPA (static files)',
  'GET /favicon.ico': 'a static icon',
  'GET /favicon.svg': 'a static icon',
  'GET /widget.js': 'the web chat widget script (a static file)',
  'GET /api/docs/:file': "the docs page's own script and style files",
};

/** The routes of every router mounted on `app`, as `METHOD /koa/path`; HEAD rides along with GET. */
function registeredRoutes(app: Koa): Set<string> {
  const routers = new Set(app.middleware.map((mw) => (mw as { router?: Router }).router).filter((r): r is Router => r !== undefined));
  const routes = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack) {
      for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method} ${layer.path}`);
    }
  }
  return routes;
}

function documentedRoutes(document: ReturnType<typeof openApiDocument>): Set<string> {
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const) if (item[method]) routes.add(`${method.toUpperCase()} ${path}`);
  }
  return routes;
}

const openApiPath = (route: string) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** What is registered and undocumented, and what is documented and not registered. */
function compare(app: Koa, document: ReturnType<typeof openApiDocument>) {
  const registered = new Set([...registeredRoutes(app)].filter((r) => !(r in NOT_API)).map(openApiPath));
  const documented = documentedRoutes(document);
  return { undocumented: [...registered].filter((r) => !documented.has(r)).sort(), unregistered: [...documented].filter((r) => !registered.has(r)).sort() };
}

/** Enough for createApp to build its routers: nothing here handles a request. */
const deps = { core: {}, metrics: {}, adminToken: 'unit-test-token', publicUrl: 'http://127.0.0.1', readiness: async () => ({}) } as unknown as HttpDeps;
const document = openApiDocument();

describe('the OpenAPI document covers the routers', () => {
  test('every registered route is documented, and every documented route is registered', () => {
    const app = createApp(deps);
    assert.ok(registeredRoutes(app).size > 60, 'the routers were found on the app');
    assert.deepEqual(compare(app, document), { undocumented: [], unregistered: [] });
  });

  test('the routes left out are registered (the exclusion list is not stale)', () => {
    const registered = registeredRoutes(createApp(deps));
    for (const route of Object.keys(NOT_API)) assert.ok(registered.has(route), route);
  });

  test('a route added without a description, or a description without its route, is caught', () => {
    const app = createApp(deps);
    const planted = new Router({ prefix: '/api/planted' });
    planted.post('/:id/thing', () => {});
    app.use(planted.routes());
    assert.deepEqual(compare(app, document).undocumented, ['POST /api/planted/{id}/thing']);
    const extra = structuredClone(document);
    extra.paths!['/api/gone'] = { get: { responses: {} } };
    assert.deepEqual(compare(createApp(deps), extra).unregistered, ['GET /api/gone']);
  });
});

describe('the OpenAPI document itself', () => {
  test('is OpenAPI 3.1 with Koa parameters written as {name}, and one operationId per operation', () => {
    assert.match(document.openapi, /^3\.1\.\d+$/);
    const paths = Object.keys(document.paths ?? {});
    assert.deepEqual(paths.filter((p) => p.includes(':')), []);
    const ids = Object.values(document.paths ?? {}).flatMap((item) => Object.values(item).map((op: { operationId?: string }) => op.operationId));
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every(Boolean));
  });

  test('each /api operation asks for what the API guard enforces (middleware/api-access.ts)', () => {
    for (const route of ROUTE_DOCS) {
      const op = document.paths![openApiPath(route.path)][route.method]!;
      const access = accessFor(route.path);
      const names = (op.security ?? []).map((r) => Object.keys(r).sort().join('+')).sort();
      const where = `${route.method} ${route.path}`;
      if (access === null || access === 'public') {
        assert.deepEqual(op.security, [], where);
      } else {
        const write = ['post', 'put', 'patch', 'delete'].includes(route.method);
        assert.deepEqual(names, ['adminToken', write ? 'consoleSession+csrfToken' : 'consoleSession'], where);
        assert.ok(op.description?.startsWith(access === 'admin' ? 'Admins only.' : 'Any signed-in console user'), where);
      }
    }
    for (const name of ['consoleSession', 'csrfToken', 'adminToken']) assert.ok(document.components?.securitySchemes?.[name], name);
    assert.deepEqual(document.paths!['/api/openapi.json'].get!.security, [], 'the document is public');
  });
});

describe('request examples pass the routes\' own schemas', () => {
  test('each JSON body example in the document is the route\'s and its schema accepts it', () => {
    let checked = 0;
    for (const route of ROUTE_DOCS.filter((r) => isJsonBody(r.body))) {
      const body = route.body as Extract<typeof route.body, { schema: unknown }>;
      const op = document.paths![openApiPath(route.path)][route.method]!;
      const content = (op.requestBody as { content: Record<string, { example?: unknown }> }).content['application/json'];
      const where = `${route.method} ${route.path}`;
      assert.deepEqual(content.example, body.example, where);
      const parsed = body.schema.safeParse(content.example);
      assert.ok(parsed.success, `${where}: ${parsed.success ? '' : parsed.error.message}`);
      // The schema is a real one: it refuses what no route takes.
      assert.equal(body.schema.safeParse('not an object').success, false, where);
      checked++;
    }
    assert.ok(checked >= 25, `${checked} bodies checked`);
  });

  test('each query example in the document, as a query string carries it, passes the route\'s query schema', () => {
    let checked = 0;
    for (const route of ROUTE_DOCS.filter((r) => r.query?.example)) {
      const op = document.paths![openApiPath(route.path)][route.method]!;
      const query: Record<string, string> = {};
      for (const p of op.parameters ?? []) {
        if ('in' in p && p.in === 'query' && p.example !== undefined) query[p.name] = String(p.example);
      }
      const where = `${route.method} ${route.path}`;
      assert.deepEqual(query, route.query!.example, where);
      const parsed = route.query!.schema.safeParse(query);
      assert.ok(parsed.success, `${where}: ${parsed.success ? '' : parsed.error.message}`);
      checked++;
    }
    assert.ok(checked >= 8, `${checked} queries checked`);
  });
});
