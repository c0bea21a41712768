/**
 * `dingtalk_stream` / `dingtalk_http` channel config (DESIGN.md §4.3). `robotCode` may be left out:
 * for an internal app it is normally the AppKey, and the Python SDK uses client_id as robotCode
 * (protocols/dingtalk.md §2.3), so it defaults to `clientId`.
 */
import { z } from 'zod';
import { describeConfigFields, type FieldText } from '../../src/domain/config-fields.js';
import { ValidationError } from '../../src/domain/errors.js';

const required = z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }).trim().min(1, 'is required');

export const dingtalkConfigSchema = z
  .object({
    clientId: required,
    clientSecret: required,
    robotCode: required.optional(),
  })
  .transform((c) => ({ clientId: c.clientId, clientSecret: c.clientSecret, robotCode: c.robotCode ?? c.clientId }));

export type DingtalkConfig = z.output<typeof dingtalkConfigSchema>;

export const secretFields = ['clientSecret'] as const;

/** Both modes take the same keys; where an admin finds them: 钉钉开发者后台 → 应用 → 凭证与基础信息. */
export const configFields = describeConfigFields(dingtalkConfigSchema, secretFields, {
  clientId: { label: 'Client ID (原 AppKey)', help: '钉钉开发者后台 → 应用 → 凭证与基础信息' },
  clientSecret: { label: 'Client Secret (原 AppSecret)', help: '同一页面；HTTP 模式也用它校验回调签名' },
  robotCode: { label: '机器人编码 (robotCode)', help: '留空则与 Client ID 相同（企业内部应用通常如此）' },
} satisfies Record<keyof DingtalkConfig, FieldText>);

export function parseDingtalkConfig(config: unknown): DingtalkConfig {
  const result = dingtalkConfigSchema.safeParse(config);
  if (result.success) return result.data;
  // Messages name the field, never echo the value: it may be the secret.
  const details = result.error.issues.map((issue) => `${issue.path.join('.') || 'config'} ${issue.message}`);
  throw new ValidationError(`invalid dingtalk config: ${details.join('; ')}`, 'CHANNEL.INVALID_CONFIG');
}
