/**
 * The OpenAPI 3.1 document of the HTTP API (issue 16 item 3), generated from the route files' own
 * descriptions (openapi-route.ts), whose request schemas are the constants the handlers parse with.
 * Who may call an /api path comes from middleware/api-access.ts, the rule the guard enforces.
 * Served at GET /api/openapi.json and rendered at /api/docs (routes/docs-routes.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { projectRoot } from '../paths.js';
import { accessFor } from './middleware/api-access.js';
import { docsRouteDocs } from './openapi-docs-page.js';
import { isJsonBody, type RouteDoc } from './openapi-route.js';
import { agentRouteDocs } from './routes/agent-routes.js';
import { authRouteDocs } from './routes/auth-routes.js';
import { calibrationRouteDocs } from './routes/calibration-routes.js';
import { channelKindRouteDocs } from './routes/channel-kind-routes.js';
import { channelRouteDocs } from './routes/channel-routes.js';
import { contactRouteDocs } from './routes/contact-routes.js';
import { conversationRouteDocs } from './routes/conversation-routes.js';
import { directoryRouteDocs } from './routes/directory-routes.js';
import { knowledgeRouteDocs } from './routes/knowledge-routes.js';
import { messageRouteDocs } from './routes/message-routes.js';
import { modelRouteDocs } from './routes/model-routes.js';
import { adminStreamRouteDocs, healthRouteDocs } from './routes/ops-routes.js';
import { platformWebhookRouteDocs } from './routes/platform-webhooks.js';
import { quickReplyRouteDocs } from './routes/quick-reply-routes.js';
import { statsRouteDocs } from './routes/stats-routes.js';
import { suggestionRouteDocs } from './routes/suggestion-routes.js';
import { userRouteDocs } from './routes/user-routes.js';
import { webchatRouteDocs } from './routes/webchat-routes.js';
import { SESSION_COOKIE } from './session-cookie.js';

// The generator names path and query parameters through `.openapi()`, which this adds to zod's
// prototype (the library's documented setup); our schemas carry no OpenAPI metadata of their own.
extendZodWithOpenApi(z);

/** Every documented route, in the order the document lists them. */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  ...authRouteDocs, ...agentRouteDocs, ...conversationRouteDocs, ...contactRouteDocs, ...messageRouteDocs, ...quickReplyRouteDocs,
  ...directoryRouteDocs, ...channelRouteDocs, ...channelKindRouteDocs, ...calibrationRouteDocs, ...modelRouteDocs,
  ...knowledgeRouteDocs, ...suggestionRouteDocs, ...userRouteDocs, ...statsRouteDocs, ...adminStreamRouteDocs,
  ...webchatRouteDocs, ...platformWebhookRouteDocs, ...healthRouteDocs, ...docsRouteDocs,
];

/** Koa's `/api/channels/:id` is OpenAPI's `/api/channels/{id}`. */
export const toOpenApiPath = (koaPath: string) => koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** What middleware/csrf.ts reads on every unsafe method of a cookie session. */
const CSRF_HEADER = 'X-CSRF-Token';
const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);
const JSON_TYPE = 'application/json';

const CALLERS: Record<NonNullable<RouteDoc['caller']>, string> = {
  anyone: 'Public.',
  visitor: "Public: a web chat visitor, whose random visitorId is their only credential.",
  platform: 'Called by the platform; no session, the signature is the credential.',
};

function security(route: RouteDoc): { security: RouteConfig['security']; who: string } {
  const access = accessFor(route.path);
  if (access === null) return { security: [], who: CALLERS[route.caller ?? 'anyone'] };
  if (access === 'public') return { security: [], who: 'Public.' };
  // The bearer token acts as an admin and needs no CSRF token (middleware/authenticate.ts).
  const session: Record<string, string[]> = UNSAFE.has(route.method) ? { consoleSession: [], csrfToken: [] } : { consoleSession: [] };
  return { security: [session, { adminToken: [] }], who: access === 'admin' ? 'Admins only.' : 'Any signed-in console user (agent or admin).' };
}

function successResponse(route: RouteDoc): ResponseConfig {
  const status = route.answer?.status ?? 200;
  if (status === 204) return { description: 'done; no body' };
  const type = route.answer?.type ?? JSON_TYPE;
  // Answers are described loosely: the views are plain functions with no schema to generate from.
  return { description: route.answer?.description ?? 'success', content: { [type]: { schema: { type: type === JSON_TYPE ? 'object' : 'string' } } } };
}

function errorResponses(route: RouteDoc): RouteConfig['responses'] {
  if (route.caller === 'platform') {
    return { '4XX': { description: 'refused (unknown or disabled channel, bad signature); no body' }, '5XX': { description: 'not stored; the platform retries' } };
  }
  return { default: { $ref: '#/components/responses/Error' } };
}

function requestOf(route: RouteDoc): RouteConfig['request'] {
  const names = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  const request: NonNullable<RouteConfig['request']> = {};
  if (names.length > 0) request.params = z.object(Object.fromEntries(names.map((n) => [n, z.string()])));
  if (route.query) request.query = route.query.schema;
  const body = route.body;
  if (isJsonBody(body)) {
    request.body = { required: body.required ?? true, content: { [JSON_TYPE]: { schema: body.schema, example: body.example } } };
  } else if (body) {
    request.body = { required: true, description: body.description, content: Object.fromEntries(body.contentTypes.map((t) => [t, { schema: { type: 'string' } }])) };
  }
  return request;
}

const operationId = (route: RouteDoc) => `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

function build() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'consoleSession', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The session cookie POST /api/auth/login sets.' });
  registry.registerComponent('securitySchemes', 'csrfToken', { type: 'apiKey', in: 'header', name: CSRF_HEADER, description: 'The csrfToken the login (or GET /api/auth/me) answered; cookie sessions send it on every POST, PUT, PATCH and DELETE.' });
  registry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer ADMIN_TOKEN (from the environment): acts as an admin, for automation.' });
  // The shape middleware/error-handler.ts writes for every API error.
  registry.registerComponent('responses', 'Error', {
    description: 'an error: 400 invalid input, 401 not signed in, 403 not allowed, 404 not found, 409 conflict, 413 too large, 429 too many requests',
    content: { [JSON_TYPE]: { schema: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } } } },
  });
  for (const route of ROUTE_DOCS) {
    const { security: requirement, who } = security(route);
    registry.registerPath({
      method: route.method,
      path: toOpenApiPath(route.path),
      operationId: operationId(route),
      summary: route.summary,
      description: [who, route.description].filter(Boolean).join(' '),
      tags: [route.tag],
      security: requirement,
      request: requestOf(route),
      responses: { [route.answer?.status ?? 200]: successResponse(route), ...errorResponses(route) },
    });
  }
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'kefu-bridge API',
      version: (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version,
      description: 'The console and admin API (/api), the web chat (/webchat) and the platform callbacks (/webhooks). Sign in with POST /api/auth/login (a session cookie, plus the X-CSRF-Token header on writes) or send Authorization: Bearer ADMIN_TOKEN.',
    },
    // Relative to where the document was fetched from: the service that serves it.
    servers: [{ url: '/', description: 'this service' }],
  });
  addQueryExamples(document);
  return document;
}

/**
 * Query examples go on each parameter: the generator takes them only from schema metadata, which
 * ours have none of. They are written as the query string carries them; a number parameter's
 * example is shown as the number it is.
 */
function addQueryExamples(document: ReturnType<OpenApiGeneratorV31['generateDocument']>) {
  for (const route of ROUTE_DOCS) {
    const example = route.query?.example;
    const operation = document.paths?.[toOpenApiPath(route.path)]?.[route.method];
    if (!example || !operation) continue;
    for (const parameter of operation.parameters ?? []) {
      if (!('in' in parameter) || parameter.in !== 'query' || !Object.hasOwn(example, parameter.name)) continue;
      const type = parameter.schema && 'type' in parameter.schema ? [parameter.schema.type].flat() : [];
      const value = example[parameter.name];
      parameter.example = type.includes('integer') || type.includes('number') ? Number(value) : value;
    }
  }
}

export type OpenApiDocument = ReturnType<typeof build>;
let built: OpenApiDocument | null = null;

/** Built once, on first use: it depends on nothing but the code. */
export function openApiDocument(): OpenApiDocument {
  built ??= build();
  return built;
}
