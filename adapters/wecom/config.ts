/**
 * `wecom_app` channel config (DESIGN.md §4.3). Limits from 回调配置 (protocols/wecom.md §1.1):
 * Token is letters/digits ≤ 32, EncodingAESKey is exactly 43 letters/digits.
 */
import { z } from 'zod';
import { describeConfigFields, type FieldText } from '../../src/domain/config-fields.js';
import { ValidationError } from '../../src/domain/errors.js';

const agentId = z
  .union([z.number(), z.string().trim().regex(/^\d+$/, 'must be a number').transform(Number)])
  .pipe(z.number().int('must be an integer').positive('must be positive').max(2 ** 31 - 1));

/** The fields every CorpID-keyed WeCom channel has: the app's credentials and its callback keys. */
export const corpAppFields = {
  corpId: z.string().trim().min(1, 'is required'),
  secret: z.string().trim().min(1, 'is required'),
  token: z.string().trim().regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1 to 32 letters or digits'),
  encodingAesKey: z.string().trim().regex(/^[A-Za-z0-9]{43}$/, 'must be exactly 43 letters or digits'),
};

const { corpId, secret, token, encodingAesKey } = corpAppFields;
export const wecomAppConfigSchema = z.object({ corpId, agentId, secret, token, encodingAesKey });

export type WecomAppConfig = z.infer<typeof wecomAppConfigSchema>;

export const secretFields = ['secret', 'token', 'encodingAesKey'] as const;

/** Where an admin finds each value in the WeCom admin console (管理后台), protocols/wecom.md §1.1. */
export const corpAppTexts: Record<keyof typeof corpAppFields, FieldText> = {
  corpId: { label: '企业ID (CorpID)', help: '管理后台 → 我的企业 → 企业信息' },
  secret: { label: '应用 Secret', help: '应用管理 → 自建应用详情页' },
  token: { label: '回调 Token', help: '应用 → 接收消息 → 设置API接收；1–32 位字母或数字' },
  encodingAesKey: { label: '回调 EncodingAESKey', help: '与 Token 在同一页面生成；43 位字母或数字' },
};

export const configFields = describeConfigFields(wecomAppConfigSchema, secretFields, {
  ...corpAppTexts,
  agentId: { label: '应用 AgentId', help: '应用管理 → 自建应用详情页' },
} satisfies Record<keyof WecomAppConfig, FieldText>);

export function parseConfig(config: unknown): WecomAppConfig {
  return parseWith(wecomAppConfigSchema, 'wecom_app', config);
}

export function parseWith<S extends z.ZodTypeAny>(schema: S, kind: string, config: unknown): z.output<S> {
  const result = schema.safeParse(config);
  if (result.success) return result.data as z.output<S>;
  // Messages name the field, never echo the value: it may be a secret.
  const details = result.error.issues.map((issue) => `${issue.path.join('.') || 'config'} ${issue.message}`);
  throw new ValidationError(`invalid ${kind} config: ${details.join('; ')}`, 'CHANNEL.INVALID_CONFIG');
}
