/**
 * How a route file describes its routes for the OpenAPI document (issue 16 item 3), next to the
 * handlers and with the very schema constants they parse with: the document is generated from
 * these (http/openapi.ts), so there is no second, hand-written copy of a request schema to drift.
 * tests/unit/openapi.test.ts checks that this table and the routers agree both ways.
 */
import type { AnyZodObject, ZodTypeAny } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';

/** A JSON body the handler validates with `schema` (parseBody); `example` must pass it. */
export interface JsonBodyDoc {
  schema: ZodTypeAny;
  example: unknown;
  /** false where the handler accepts no body at all (`if (ctx.request.length) parseBody(...)`). */
  required?: boolean;
}

/** A body the handler reads as bytes: signed platform callbacks, NDJSON imports. */
export interface RawBodyDoc {
  contentTypes: string[];
  description: string;
}

export interface RouteDoc {
  method: HttpMethod;
  /** The Koa path, router prefix included: `/api/channels/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** The query schema the handler parses `ctx.query` with; `example` must pass it. */
  query?: { schema: AnyZodObject; example?: Record<string, string> };
  body?: JsonBodyDoc | RawBodyDoc;
  /** The success answer: status (default 200) and content type (default JSON; none for 204). */
  answer?: { status?: number; type?: string; description?: string };
  /**
   * Who calls a route outside /api (the /api ones follow middleware/api-access.ts): anyone, a
   * web chat visitor (whose random visitorId is their only credential), or a platform (whose
   * signature the channel's adapter checks).
   */
  caller?: 'anyone' | 'visitor' | 'platform';
}

export const isJsonBody = (body: RouteDoc['body']): body is JsonBodyDoc => body !== undefined && 'schema' in body;

/** One file's routes under one tag. */
export function routeDocs(tag: string, routes: Omit<RouteDoc, 'tag'>[]): RouteDoc[] {
  return routes.map((r) => ({ ...r, tag }));
}
