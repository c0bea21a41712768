/**
 * `wecom_kf` channel config (DESIGN.md §4.3). The credentials are those of the self-built app
 * that manages the 微信客服 accounts (protocols/wecom.md §4: callbacks reach that app's URL,
 * receiveid = CorpID), so the same rules as `wecom_app` apply to them.
 */
import { z } from 'zod';
import { describeConfigFields, type FieldText } from '../../src/domain/config-fields.js';
import { corpAppFields, corpAppTexts, parseWith } from './config.js';

const ids = (what: string) => z
  .array(z.string().trim().min(1, `${what} must not be empty`))
  .min(1, 'must list at least one (omit it instead)');

export const wecomKfConfigSchema = z.object({
  ...corpAppFields,
  /** When set, notices for other kf accounts of the same app are acknowledged and ignored. */
  openKfIds: ids('an open_kfid').optional(),
  /**
   * `console`: agents answer in our console and the WeCom session stays with the API (state 1).
   * `wecom`: a handoff moves the session to the WeCom 接待池 or to a servicer (§4.4).
   */
  handoffMode: z.enum(['console', 'wecom']).default('console'),
  /** Servicers (WeCom userids, "正在接待") a `wecom` handoff assigns to; the first one is used. */
  servicerUserIds: ids('a servicer userid').optional(),
});

export type WecomKfConfig = z.infer<typeof wecomKfConfigSchema>;

export const secretFields = ['secret', 'token', 'encodingAesKey'] as const;

export const configFields = describeConfigFields(wecomKfConfigSchema, secretFields, {
  ...corpAppTexts,
  secret: { label: '应用 Secret', help: '管理这些微信客服账号的自建应用的 Secret（微信客服 → API → 可调用接口的应用）' },
  openKfIds: { label: '客服账号ID (open_kfid)', help: '只处理这些客服账号的消息，每行一个；留空则处理该应用管理的全部客服账号' },
  handoffMode: { label: '转人工方式', help: 'console：在本系统控制台接待；wecom：转入企业微信接待池或下方的接待人员' },
  servicerUserIds: { label: '接待人员 UserID', help: 'wecom 方式下转给其中第一位；留空则转入待接入池' },
} satisfies Record<keyof WecomKfConfig, FieldText>);

/** Throws ValidationError naming the fields, never their values. */
export function parseConfig(config: unknown): WecomKfConfig {
  return parseWith(wecomKfConfigSchema, 'wecom_kf', config);
}
