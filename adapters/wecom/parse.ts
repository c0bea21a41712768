/**
 * Decrypted self-built-app messages (protocols/wecom.md §5.1, message formats
 * https://developer.work.weixin.qq.com/document/path/96467, events …/path/90376) → InboundMessage.
 * Platform field names end here.
 */
import { createHash } from 'node:crypto';
import { PayloadError } from '../../src/domain/errors.js';
import { MAX_PLATFORM_ID_LENGTH, type InboundEvent, type InboundMessage, type MessageKind } from '../../src/domain/message.js';
import type { XmlRecord } from './xml.js';

/** A 微信客服 notice (§4.1): it carries no message, only a token for pulling them with sync_msg. */
export interface KfNotice {
  /** Valid 10 minutes; lifts sync_msg's strict rate limit (§4.2). */
  token: string;
  openKfId: string;
  createTime: string;
}

const KINDS: Record<string, MessageKind> = {
  text: 'text', image: 'image', voice: 'voice', video: 'video', file: 'file',
  location: 'location', link: 'link', event: 'event',
};

const EVENTS: Record<string, InboundEvent> = { subscribe: 'enter', enter_agent: 'enter', unsubscribe: 'leave' };

/** Attachment key → WeCom element, per message type; kept for agents, never followed (message.ts). */
const ATTACHMENTS: Record<string, Record<string, string>> = {
  image: { mediaId: 'MediaId', picUrl: 'PicUrl' },
  voice: { mediaId: 'MediaId', format: 'Format', recognition: 'Recognition' },
  video: { mediaId: 'MediaId', thumbMediaId: 'ThumbMediaId' },
  file: { mediaId: 'MediaId', fileName: 'FileName', title: 'Title' },
  location: { latitude: 'Location_X', longitude: 'Location_Y', scale: 'Scale', label: 'Label' },
  link: { title: 'Title', description: 'Description', url: 'Url', picUrl: 'PicUrl' },
  event: { event: 'Event', eventKey: 'EventKey', changeType: 'ChangeType' },
};

/** Returns the notice when this is a `kf_msg_or_event` callback (§7.5: such callbacks have no FromUserName). */
export function detectKfNotice(inner: XmlRecord): KfNotice | null {
  if (inner.MsgType !== 'event' || inner.Event !== 'kf_msg_or_event') return null;
  const { Token: token, OpenKfId: openKfId, CreateTime: createTime = '' } = inner;
  if (!token || !openKfId) throw new PayloadError('[-40008] kf_msg_or_event without Token or OpenKfId');
  // The account id keys its pull cursor (a unique index): never longer than any id (issue 11).
  if (openKfId.length > MAX_PLATFORM_ID_LENGTH) throw new PayloadError('[-40008] OpenKfId is too long');
  return { token, openKfId, createTime };
}

export function toInboundMessage(inner: XmlRecord): InboundMessage {
  const from = required(inner, 'FromUserName');
  const createTime = required(inner, 'CreateTime');
  if (!/^\d{1,12}$/.test(createTime)) throw new PayloadError('[-40008] CreateTime is not a unix timestamp');
  const msgType = required(inner, 'MsgType');
  const kind = KINDS[msgType] ?? 'other';
  const message: InboundMessage = {
    platformMessageId: messageKey(inner, msgType),
    contact: { externalId: from },
    kind,
    text: kind === 'text' ? inner.Content ?? '' : null,
    sentAt: new Date(Number(createTime) * 1000),
  };
  if (kind === 'event') message.event = EVENTS[inner.Event ?? ''] ?? 'other';
  const attachment = pick(inner, ATTACHMENTS[msgType]);
  if (attachment !== undefined) message.attachment = attachment;
  return message;
}

/**
 * MsgId when there is one. Events have none; WeCom suggests FromUserName + CreateTime (§1.5), but
 * distinct events in the same second collide on that (§7.10, WxJava#2314), so a digest of every
 * field joins it. WeCom retries resend the same message, so the digest is stable across retries.
 */
function messageKey(inner: XmlRecord, msgType: string): string {
  const msgId = inner.MsgId;
  if (msgId !== undefined && msgId !== '') {
    if (!/^\d{1,20}$/.test(msgId)) throw new PayloadError('[-40008] MsgId is not a number');
    return msgId;
  }
  if (msgType !== 'event') throw new PayloadError('[-40008] message without MsgId');
  const canonical = Object.keys(inner)
    .sort()
    .map((k) => `${k}=${inner[k]}`)
    .join('\n');
  const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
  return `event:${inner.FromUserName}:${inner.CreateTime}:${inner.Event ?? ''}:${digest}`;
}

function required(inner: XmlRecord, field: string): string {
  const value = inner[field];
  if (value === undefined || value === '') throw new PayloadError(`[-40008] message without ${field}`);
  return value;
}

function pick(inner: XmlRecord, fields: Record<string, string> | undefined): Record<string, string> | undefined {
  if (fields === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, field] of Object.entries(fields)) {
    const value = inner[field];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
