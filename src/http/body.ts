import type { Context } from 'koa';
import type { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../domain/errors.js';
import { parseSafeJson } from '../domain/text.js';

/** Webhook and API bodies are capped before anything parses them (DESIGN.md §3.7: > 1 MiB → 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the raw bytes (signatures cover exactly these) and refuses more than `limit`. */
export async function readRawBody(ctx: Context, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new PayloadTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      // Stop reading; the connection is closed after the 413 so the rest is never buffered.
      ctx.set('Connection', 'close');
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Every JSON body of the API, the console and web chat, made safe where it is parsed (issue 11: a
 * NUL in a login e-mail, a name, a knowledge entry or a chat text answered 500).
 */
export async function readJson(ctx: Context): Promise<unknown> {
  if (!ctx.is('application/json')) throw new ValidationError('expected Content-Type: application/json', 'REQUEST.UNSUPPORTED_MEDIA');
  const raw = await readRawBody(ctx);
  try {
    return parseSafeJson(raw.toString('utf8'));
  } catch {
    throw new ValidationError('body is not valid JSON', 'REQUEST.MALFORMED_JSON');
  }
}

/** Validates a body or query with a zod schema; every problem named in one 400. */
export function parseBody<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}
