/**
 * Replies and session moves for 微信客服 (protocols/wecom.md §4.3–§4.5). send_msg is allowed only
 * while the API holds the session (service_state 0/1, §4.3); under a human it fails with 95018. So
 * every send reads the state first and hands the message to humans instead of calling send_msg.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { PlatformError } from '../../src/domain/errors.js';
import type { OutgoingMessage, SendTarget } from '../../src/ports/channel-adapter.js';
import type { WecomKfApi } from './kf-api.js';
import type { WecomKfConfig } from './kf-config.js';
import { splitText } from './send.js';
import type { AppCredentials } from './token-cache.js';

/**
 * UNVERIFIED: the errcode WeCom answers for a msgid it has already accepted. §4.3 only says msgid
 * must be unique (LangBot#1687 reports "MSG_ID重复" without a code). The fake answers this value;
 * replace it here (and in tests/fakes/fake-wecom-kf-api.ts) once a real answer is seen.
 */
export const DUPLICATE_MSGID_ERRCODE = 95019;

/** States (§4.4) in which a person, not the API, owns the session: 2 queued, 3 人工接待. */
const HUMAN_STATES = new Set([2, 3]);
const ENDED = 4;

/** Why only a person can go on; errcodes from §4.6. */
const NEEDS_HUMAN: Record<string, string> = {
  95001: 'the 5-message limit per customer message is reached (95001); only a new customer message reopens it',
  95002: 'the 48-hour reply window has closed (95002)',
  95018: 'the session is not with the API (95018): a human holds it in WeCom, or it is queued or ended',
};

export interface KfTarget {
  openKfId: string;
  externalUserId: string;
}

export function kfTarget(to: SendTarget): KfTarget {
  const openKfId = to.address?.openKfId;
  if (!openKfId) {
    // Nothing to retry: the contact was stored without the account it wrote to.
    throw new PlatformError('WeCom 微信客服: the contact has no openKfId address to send from', { retryable: false });
  }
  return { openKfId, externalUserId: to.externalId };
}

/**
 * msgid (§4.3: ≤ 32 bytes of [0-9a-zA-Z_-]) from the outbox id, so a resend after an unknown outcome
 * repeats the same msgid and WeCom cannot deliver it twice. Part 1 of a split text keeps the bare
 * id (it is the receipt, matched against msg_send_fail's fail_msgid); later parts get `-<n>`.
 */
export function kfMsgid(outboxId: string, part = 1): string {
  const base = /^[0-9A-Za-z_-]{1,22}$/.test(outboxId)
    ? `kb-${outboxId}`
    : `kh-${createHash('sha256').update(outboxId).digest('hex').slice(0, 22)}`; // other shapes: a digest, own prefix
  const msgid = part === 1 ? base : `${base}-${part}`;
  if (msgid.length > 32) throw new PlatformError(`WeCom 微信客服: text needs too many parts (${part})`, { retryable: false });
  return msgid;
}

/** Sends `message`; returns the msgid of its first part. Throws PlatformError (needsHuman per NEEDS_HUMAN). */
export async function sendKf(api: WecomKfApi, creds: AppCredentials, target: KfTarget, message: OutgoingMessage, logger?: Logger): Promise<string> {
  const parts = splitText(message.text);
  if (parts.length === 0) throw new PlatformError('WeCom 微信客服: empty text', { retryable: false });
  const code = message.replyCode;
  if (code !== undefined) {
    // The code is WeCom's leave to answer that event whatever the session state, once (§4.5),
    // so no state check, and a text longer than one message is cut to its first part.
    if (parts.length > 1) logger?.warn({ outboxId: message.outboxId, parts: parts.length }, 'event reply cut to its first 2048 bytes');
    const msgid = kfMsgid(message.outboxId);
    await deliver(() => api.sendMsgOnEvent(creds, { code, msgid, content: parts[0] ?? '' }));
    return msgid;
  }
  const { state } = await api.getServiceState(creds, target.openKfId, target.externalUserId);
  if (HUMAN_STATES.has(state)) {
    const who = state === 3 ? 'a human holds this session in WeCom' : 'this session waits in the WeCom queue';
    throw new PlatformError(`WeCom 微信客服: ${who} (service_state ${state}); not sent`, { retryable: false, needsHuman: true, platformCode: `service_state_${state}` });
  }
  for (const [index, content] of parts.entries()) {
    const msgid = kfMsgid(message.outboxId, index + 1);
    await deliver(() => api.sendMsg(creds, { touser: target.externalUserId, open_kfid: target.openKfId, msgid, content }));
  }
  return kfMsgid(message.outboxId);
}

/** One send: a msgid WeCom already has counts as delivered (a resend); 95001/95002/95018 need a human. */
async function deliver(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (!(err instanceof PlatformError) || err.platformCode === undefined) throw err;
    if (err.platformCode === String(DUPLICATE_MSGID_ERRCODE)) return;
    const reason = NEEDS_HUMAN[err.platformCode];
    if (reason === undefined) throw err;
    throw new PlatformError(`WeCom 微信客服: ${reason}`, { retryable: false, needsHuman: true, platformCode: err.platformCode, cause: err });
  }
}

/**
 * handoffMode 'wecom': to the first configured servicer (state 3) or the 接待池 (state 2) (§4.4).
 * Already with humans: nothing to do (a retried handoff must not fail). Ended (4): WeCom allows no
 * API change, and there is no session to hand over.
 */
export async function transferKf(api: WecomKfApi, creds: AppCredentials, config: WecomKfConfig, target: KfTarget, logger?: Logger): Promise<void> {
  const { state } = await api.getServiceState(creds, target.openKfId, target.externalUserId);
  if (HUMAN_STATES.has(state) || state === ENDED) {
    logger?.debug({ state }, 'wecom_kf transfer skipped: the session is not with the API');
    return;
  }
  const servicer = config.servicerUserIds?.[0];
  await api.transServiceState(creds, {
    open_kfid: target.openKfId, external_userid: target.externalUserId,
    ...(servicer === undefined ? { service_state: 2 } : { service_state: 3, servicer_userid: servicer }),
  });
}

/**
 * handoffMode 'wecom', after a release: ends the WeCom session (state 4) so the customer's next
 * message starts at 0 (未处理), where the API may answer again (§4.4). Only a session humans hold
 * is ended; one already with the API or ended is left alone.
 */
export async function endKf(api: WecomKfApi, creds: AppCredentials, target: KfTarget): Promise<void> {
  const { state } = await api.getServiceState(creds, target.openKfId, target.externalUserId);
  if (!HUMAN_STATES.has(state)) return;
  await api.transServiceState(creds, { open_kfid: target.openKfId, external_userid: target.externalUserId, service_state: ENDED });
}
