/**
 * sync_msg `msg_list` items and the kf_msg_or_event callback as 微信客服 sends them
 * (protocols/wecom.md §4.1, §4.2). Events carry open_kfid / external_userid inside `event` only,
 * as in the doc's examples, so parsers cannot lean on the outer fields.
 */
import { randomAlphanumeric } from '../../adapters/wecom/crypto.js';

export type KfItem = Record<string, unknown>;

export interface ItemBase {
  openKfId: string;
  externalUserId: string;
  /** Unix seconds; default now. */
  sendTime?: number;
  /** Default a fresh `from_msgid_<n>`. */
  msgid?: string;
}

let counter = 0;

function outer(b: ItemBase, origin: number, msgtype: string): KfItem {
  return {
    msgid: b.msgid ?? `from_msgid_${4622416642169452483n + BigInt((counter += 1))}`,
    send_time: b.sendTime ?? Math.floor(Date.now() / 1000),
    origin,
    msgtype,
  };
}

function customer(b: ItemBase, msgtype: string, body: KfItem): KfItem {
  return { ...outer(b, 3, msgtype), open_kfid: b.openKfId, external_userid: b.externalUserId, [msgtype]: body };
}

export function customerText(b: ItemBase, content: string, menuId?: string): KfItem {
  return customer(b, 'text', menuId === undefined ? { content } : { content, menu_id: menuId });
}

export function customerImage(b: ItemBase, mediaId: string): KfItem {
  return customer(b, 'image', { media_id: mediaId });
}

/** Origin 5: a servicer typed it in the WeCom client. */
export function servicerText(b: ItemBase, servicerUserId: string, content: string): KfItem {
  return { ...customer(b, 'text', { content }), origin: 5, servicer_userid: servicerUserId };
}

function event(b: ItemBase, eventType: string, fields: KfItem): KfItem {
  return {
    ...outer(b, 4, 'event'),
    event: { event_type: eventType, open_kfid: b.openKfId, external_userid: b.externalUserId, ...fields },
  };
}

export function enterSession(b: ItemBase, welcomeCode?: string, scene = 'scene-a'): KfItem {
  return event(b, 'enter_session', { scene, scene_param: 'p1', ...(welcomeCode === undefined ? {} : { welcome_code: welcomeCode }) });
}

export function sendFail(b: ItemBase, failMsgid: string, failType: number): KfItem {
  return event(b, 'msg_send_fail', { fail_msgid: failMsgid, fail_type: failType });
}

export function sessionChange(b: ItemBase, changeType: number, newServicer?: string, oldServicer?: string): KfItem {
  return event(b, 'session_status_change', {
    change_type: changeType,
    ...(oldServicer === undefined ? {} : { old_servicer_userid: oldServicer }),
    ...(newServicer === undefined ? {} : { new_servicer_userid: newServicer }),
  });
}

export function userRecall(b: ItemBase, recallMsgid: string): KfItem {
  return event(b, 'user_recall_msg', { recall_msgid: recallMsgid });
}

/** A fresh callback Token: the doc's sample looks like `ENCApHxnGDN…` (§4.1). */
export function newPullToken(): string {
  return `ENC${randomAlphanumeric(44)}`;
}

/** The decrypted kf_msg_or_event callback (§4.1): no MsgId, no FromUserName, no content. */
export function kfNoticeXml(corpId: string, openKfId: string, token: string, createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><CreateTime>${createTime}</CreateTime>`
    + '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>'
    + `<Token><![CDATA[${token}]]></Token><OpenKfId><![CDATA[${openKfId}]]></OpenKfId></xml>`;
}

/** sync_msg cursors: opaque to clients like WeCom's, and bound to one account so it cannot page another. */
export function encodeCursor(openKfId: string, index: number): string {
  return Buffer.from(`${openKfId}:${index}`, 'utf8').toString('base64url');
}

export function decodeCursor(openKfId: string, cursor: unknown): number | null {
  const match = typeof cursor === 'string' ? /^(.*):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  return match !== null && match[1] === openKfId ? Number(match[2]) : null;
}
