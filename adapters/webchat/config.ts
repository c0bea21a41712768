import { z } from 'zod';
import { ValidationError } from '../../src/domain/errors.js';

const schema = z.object({
  /** Sites allowed to embed the chat ('*' for any); the demo page is same-origin and needs none. */
  allowedOrigins: z.array(z.string().min(1).max(200)).max(50).default([]),
}).strict();

export function parseWebchatConfig(config: unknown): Record<string, unknown> {
  const parsed = schema.safeParse(config ?? {});
  if (!parsed.success) throw new ValidationError(`webchat config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
