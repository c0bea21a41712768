/**
 * `wecom_bot` channel config (DESIGN.md §4.3): a 企业微信 智能机器人 in callback (API) mode. It
 * has no CorpID or secret: callbacks are keyed by the bot's Token and EncodingAESKey alone, and
 * their receiveid is "" (protocols/wecom.md §6.1).
 */
import { z } from 'zod';
import { describeConfigFields, type FieldText } from '../../src/domain/config-fields.js';
import { corpAppFields, parseWith } from './config.js';

export const wecomBotConfigSchema = z.object({
  token: corpAppFields.token,
  encodingAesKey: corpAppFields.encodingAesKey,
  /** When set, callbacks for another bot (`aibotid`) are refused. */
  botId: z.string().trim().min(1).max(128).optional(),
});

export type WecomBotConfig = z.infer<typeof wecomBotConfigSchema>;

export const secretFields = ['token', 'encodingAesKey'] as const;

export const configFields = describeConfigFields(wecomBotConfigSchema, secretFields, {
  token: { label: '回调 Token', help: '智能机器人 → API 模式 → 接收消息配置；1–32 位字母或数字' },
  encodingAesKey: { label: '回调 EncodingAESKey', help: '与 Token 在同一页面生成；43 位字母或数字' },
  botId: { label: '机器人 ID (aibotid)', help: '可选：填写后只接受这个机器人的回调' },
} satisfies Record<keyof WecomBotConfig, FieldText>);

export function parseConfig(config: unknown): WecomBotConfig {
  return parseWith(wecomBotConfigSchema, 'wecom_bot', config);
}
