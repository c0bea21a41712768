/**
 * `dingtalk_stream` / `dingtalk_http` channel config (DESIGN.md §4.3). `robotCode` may be left out:
 * for an internal app it is normally the AppKey, and the Python SDK uses client_id as robotCode
 * (protocols/dingtalk.md §2.3), so it defaults to `clientId`.
 */
import { z } from 'zod';
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

export function parseDingtalkConfig(config: unknown): DingtalkConfig {
  const result = dingtalkConfigSchema.safeParse(config);
  if (result.success) return result.data;
  // Messages name the field, never echo the value: it may be the secret.
  const details = result.error.issues.map((issue) => `${issue.path.join('.') || 'config'} ${issue.message}`);
  throw new ValidationError(`invalid dingtalk config: ${details.join('; ')}`, 'CHANNEL.INVALID_CONFIG');
}
