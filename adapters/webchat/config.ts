import { z } from 'zod';
import { describeConfigFields } from '../../src/domain/config-fields.js';
import { ValidationError } from '../../src/domain/errors.js';

/** The same default as src/http/routes/webchat-routes.ts shows when offlineMessage is empty (issue 14 item 5). */
const DEFAULT_OFFLINE_MESSAGE = '在线客服暂停服务，请稍后再来~';

const schema = z.object({
  /** Sites allowed to embed the chat ('*' for any); the demo page is same-origin and needs none. */
  allowedOrigins: z.array(z.string().min(1).max(200)).max(50).default([]),
  /** Shown on the demo page and in the widget while the channel is disabled; empty means the default. */
  offlineMessage: z.string().trim().max(500).optional(),
}).strict();

export function parseWebchatConfig(config: unknown): Record<string, unknown> {
  const parsed = schema.safeParse(config ?? {});
  if (!parsed.success) throw new ValidationError(`webchat config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export const webchatConfigFields = describeConfigFields(schema, [], {
  allowedOrigins: { label: '允许嵌入的网站 (Origin)', help: '每行一个，例如 https://shop.example.com；* 表示任意网站；自带的演示页无需填写。' },
  offlineMessage: { label: '暂停服务提示', help: `渠道停用时，演示页和聊天组件向顾客显示这句话；留空则为「${DEFAULT_OFFLINE_MESSAGE}」。` },
});
