/**
 * sync_msg `msg_list` items (protocols/wecom.md §4.2) → InboundMessage. Platform field names end
 * here. Item bodies are 3RD-PARTY-sourced (silenceper/wechat), so every field is checked and an
 * item of an unknown shape becomes kind 'other' instead of failing the page: one strange item
 * must not stall the cursor for every later message.
 */
import { createHash } from 'node:crypto';
import { isStorableDate } from '../../src/domain/dates.js';
import { MAX_PLATFORM_ID_LENGTH, type InboundMessage } from '../../src/domain/message.js';

type Json = Record<string, unknown>;

export interface KfParseContext {
  /** The account that was pulled: the address when an item names none (sync_msg filters by it). */
  openKfId: string;
  /** sentAt when an item has no usable send_time. */
  now: Date;
}

/** origin (§4.2): 3 微信客户发送 · 4 系统推送的事件 · 5 接待人员在企业微信客户端发送. */
const ORIGIN_CUSTOMER = 3;
const ORIGIN_SERVICER = 5;

/** msg_send_fail fail_type (§4.2 event table), as agents read it. */
const FAIL_REASONS: Record<number, string> = {
  0: '未知原因', 1: '客服账号已删除', 2: '应用已关闭', 4: '会话已过期，超过48小时', 5: '会话已关闭',
  6: '超过5条限制', 7: '未绑定视频号', 8: '主体未验证', 9: '未绑定视频号且主体未验证', 10: '用户拒收',
};

/** Attachment key → body field, per msgtype; kept for agents, never followed (message.ts). */
const MEDIA: Record<string, Record<string, string>> = {
  image: { mediaId: 'media_id' },
  voice: { mediaId: 'media_id' },
  video: { mediaId: 'media_id' },
  file: { mediaId: 'media_id' },
  location: { latitude: 'latitude', longitude: 'longitude', name: 'name', address: 'address' },
  link: { title: 'title', description: 'desc', url: 'url', picUrl: 'pic_url' },
};

/** Maps a page in order; items that concern no customer (servicer_status_change…) are left out. */
export function toInboundMessages(list: readonly unknown[], ctx: KfParseContext): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (const item of list) {
    const message = kfItemToInbound(item, ctx);
    if (message !== null) out.push(message);
  }
  return out;
}

/** null when the item names no external_userid: there is no contact to file it under. */
export function kfItemToInbound(item: unknown, ctx: KfParseContext): InboundMessage | null {
  const m = asObject(item);
  if (m === undefined) return null;
  const event = m.msgtype === 'event' ? asObject(m.event) ?? {} : undefined;
  // Event items may carry open_kfid / external_userid inside `event` only.
  const externalId = text(m.external_userid) ?? text(event?.external_userid);
  if (externalId === undefined) return null;
  const base: InboundMessage = {
    // The outer msgid, events included (§1.5: dedupe kf on sync_msg msgid).
    platformMessageId: messageKey(m),
    contact: { externalId },
    address: { openKfId: text(m.open_kfid) ?? text(event?.open_kfid) ?? ctx.openKfId },
    kind: 'other',
    text: null,
    sentAt: sentAt(m.send_time, ctx.now),
  };
  if (event !== undefined) return { ...base, ...eventFields(event) };
  const origin = Number(m.origin);
  if (origin === ORIGIN_SERVICER) {
    const agentRef = text(m.servicer_userid);
    return { ...base, ...content(m), sender: 'agent', ...(agentRef === undefined ? {} : { agentRef }) };
  }
  if (origin === ORIGIN_CUSTOMER) return { ...base, ...content(m) };
  return { ...base, attachment: { type: text(m.msgtype) ?? 'unknown' } };
}

function content(m: Json): Pick<InboundMessage, 'kind' | 'text' | 'attachment'> {
  const msgtype = text(m.msgtype) ?? 'unknown';
  const body = asObject(m[msgtype]);
  if (msgtype === 'text' && typeof body?.content === 'string') {
    const menuId = text(body.menu_id); // a click on a msgmenu we sent
    return { kind: 'text', text: body.content, ...(menuId === undefined ? {} : { attachment: { menuId } }) };
  }
  const fields = MEDIA[msgtype];
  const attachment = body === undefined || fields === undefined ? undefined : pick(body, fields);
  if (attachment === undefined) return { kind: 'other', text: null, attachment: { type: msgtype } };
  return { kind: msgtype as 'image' | 'voice' | 'video' | 'file' | 'location' | 'link', text: null, attachment };
}

/** Origin 4 events (§4.2 event table): event_type lives inside `event`. */
function eventFields(ev: Json): Partial<InboundMessage> & Pick<InboundMessage, 'kind'> {
  const type = text(ev.event_type);
  switch (type) {
    case 'enter_session': {
      // welcome_code only when no native welcome is configured and none was sent in 48 h (§4.2).
      const code = text(ev.welcome_code);
      const attachment = pick(ev, { scene: 'scene', sceneParam: 'scene_param' });
      return { kind: 'event', event: 'enter', ...(code ? { replyCode: code } : {}), ...(attachment ? { attachment } : {}) };
    }
    case 'msg_send_fail': {
      const failType = Number(ev.fail_type);
      const reason = FAIL_REASONS[failType] ?? `未知原因 (${String(ev.fail_type)})`;
      return { kind: 'event', event: 'send_failed', text: reason, ...optional('refersTo', text(ev.fail_msgid)) };
    }
    case 'session_status_change':
      return sessionChange(ev);
    case 'user_recall_msg':
      return { kind: 'event', event: 'recalled', ...optional('refersTo', text(ev.recall_msgid)) };
    default:
      return { kind: 'event', event: 'other', attachment: { eventType: type ?? 'unknown' } };
  }
}

/** change_type 1 从接待池接入 · 2 转接 · 4 重新接入 → a person holds it; 3 结束 (§4.2, §4.4). */
function sessionChange(ev: Json): Partial<InboundMessage> & Pick<InboundMessage, 'kind'> {
  const change = Number(ev.change_type);
  if (change === 3) return { kind: 'event', event: 'session_ended' };
  if (change === 1 || change === 2 || change === 4) {
    return { kind: 'event', event: 'human_took_over', ...optional('agentRef', text(ev.new_servicer_userid)) };
  }
  return { kind: 'event', event: 'other', attachment: { eventType: 'session_status_change', changeType: String(ev.change_type) } };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function sentAt(sendTime: unknown, now: Date): Date {
  const seconds = typeof sendTime === 'number' ? sendTime : typeof sendTime === 'string' && /^\d{1,12}$/.test(sendTime) ? Number(sendTime) : NaN;
  const date = new Date(seconds * 1000);
  // A time no chat can have (year 33658 fits in 12 digits) is the pull's time (issue 11).
  return Number.isInteger(seconds) && seconds > 0 && isStorableDate(date) ? date : now;
}

/**
 * The msgid; without one, a digest of the item's JSON (the same bytes on a re-pull). A msgid too
 * long to be a key (issue 11) is kept as its digest, so the message still reaches a person and a
 * re-pull still dedupes, rather than failing the page.
 */
function messageKey(m: Json): string {
  const msgid = text(m.msgid);
  if (msgid === undefined) return `kf:${digest(JSON.stringify(m))}`;
  return msgid.length <= MAX_PLATFORM_ID_LENGTH ? msgid : `kf:${digest(msgid)}`;
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Non-empty strings, and finite numbers as strings (coordinates, ids some SDKs send as numbers). */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

function pick(body: Json, fields: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [key, field] of Object.entries(fields)) {
    const value = text(body[field]);
    if (value !== undefined) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
