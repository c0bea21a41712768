/**
 * `wecom_bot` channel config (DESIGN.md §4.3): a 企业微信 智能机器人 in API mode, either with a
 * callback URL (`callback`, the default) or over WeCom's long connection (`long_connection`,
 * issue 15). In callback mode it has no CorpID or secret: callbacks are keyed by the bot's Token
 * and EncodingAESKey alone, and their receiveid is "" (protocols/wecom.md §6.1). In long-connection
 * mode the service dials out and authenticates with the Bot ID and its Secret; no public URL.
 */
import { z } from 'zod';
import { describeConfigFields, type FieldText } from '../../src/domain/config-fields.js';
import { corpAppFields, parseWith } from './config.js';

/** issue 15: the 转人工 button's margin above the threshold when a channel sets none. */
export const DEFAULT_HANDOFF_BUTTON_MARGIN = 0.1;

export const BOT_MODES = ['callback', 'long_connection'] as const;
export type BotMode = (typeof BOT_MODES)[number];

const botObject = z.object({
  /** callback: WeCom POSTs to our URL; long_connection: we hold a WebSocket to WeCom (issue 15). */
  mode: z.enum(BOT_MODES).default('callback'),
  token: corpAppFields.token.optional(),
  encodingAesKey: corpAppFields.encodingAesKey.optional(),
  /** Callback mode: when set, callbacks for another bot (`aibotid`) are refused. Long connection: required. */
  botId: z.string().trim().min(1).max(128).optional(),
  /** Long connection: the bot's Secret (API 模式 → 长连接). */
  secret: z.string().trim().min(1).max(256).optional(),
  /**
   * Long connection (issue 15): an answer whose confidence is at most this far above the channel's
   * threshold carries a 转人工 button (a template card); 0 turns the button off; unset: DEFAULT_HANDOFF_BUTTON_MARGIN.
   */
  handoffButtonMargin: z.coerce.number().min(0).max(1).optional(),
});

export const wecomBotConfigSchema = botObject.superRefine((c, ctx) => {
  const need = (key: keyof typeof c, why: string) => {
    if (c[key] === undefined || c[key] === '') ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: `is required ${why}` });
  };
  if (c.mode === 'callback') {
    need('token', 'in callback mode');
    need('encodingAesKey', 'in callback mode');
  } else {
    need('botId', 'in long_connection mode');
    need('secret', 'in long_connection mode');
  }
});

export type WecomBotConfig = z.infer<typeof botObject>;

export const secretFields = ['token', 'encodingAesKey', 'secret'] as const;

export const configFields = describeConfigFields(botObject, secretFields, {
  mode: { label: '接收方式', help: 'callback：回调 URL（需公网 HTTPS）；long_connection：长连接（服务主动连接企业微信，无需公网地址）' },
  token: { label: '回调 Token', help: '回调模式：智能机器人 → API 模式 → 接收消息配置；1–32 位字母或数字' },
  encodingAesKey: { label: '回调 EncodingAESKey', help: '回调模式：与 Token 在同一页面生成；43 位字母或数字' },
  botId: { label: '机器人 ID (Bot ID / aibotid)', help: '长连接模式必填；回调模式可选：填写后只接受这个机器人的回调' },
  secret: { label: '长连接 Secret', help: '长连接模式：智能机器人 → API 模式 → 使用长连接 → Secret' },
  handoffButtonMargin: { label: '转人工按钮区间', help: '长连接模式：置信度高于阈值不超过此值的回答附带「转人工」按钮；默认 0.1，0 表示不显示' },
} satisfies Record<keyof WecomBotConfig, FieldText>);

export function parseConfig(config: unknown): WecomBotConfig {
  return parseWith(wecomBotConfigSchema, 'wecom_bot', config);
}

export const isLongConnection = (config: WecomBotConfig): config is WecomBotConfig & { botId: string; secret: string } =>
  config.mode === 'long_connection';
