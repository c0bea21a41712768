import { z } from 'zod';
import { describeConfigFields } from '../../src/domain/config-fields.js';
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

export const webchatConfigFields = describeConfigFields(schema, [], {
  allowedOrigins: { label: '允许嵌入的网站 (Origin)', help: '每行一个，例如 https://shop.example.com；* 表示任意网站；自带的演示页无需填写' },
});
