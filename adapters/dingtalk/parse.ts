/**
 * The robot message JSON (protocols/dingtalk.md §2.1): the POST body in HTTP mode and the `data`
 * of a TOPIC_ROBOT Stream frame. Platform vocabulary (senderStaffId, conversationId…) ends here.
 *
 * Contacts: in a 1:1 chat the contact is the person (senderStaffId, the id the OpenAPI takes,
 * §2.3). In a group the contact is the group itself, `group:<conversationId>`, so one group is
 * one conversation and its replies go to the group (groupMessages/send needs the conversation id).
 */
import { PayloadError } from '../../src/domain/errors.js';
import type { InboundMessage, MessageKind } from '../../src/domain/message.js';

export const GROUP_PREFIX = 'group:';

type Json = Record<string, unknown>;

const KINDS: Record<string, MessageKind> = {
  text: 'text', picture: 'image', audio: 'voice', video: 'video', file: 'file',
};

export function toInboundMessage(payload: unknown, opts: { robotCode?: string; now: Date }): InboundMessage | null {
  if (!isObject(payload)) throw new PayloadError('dingtalk robot message is not a JSON object');
  const msgId = str(payload.msgId);
  const conversationType = str(payload.conversationType ?? '');
  const conversationId = str(payload.conversationId);
  const senderId = str(payload.senderStaffId) ?? str(payload.senderId);
  if (!msgId || (conversationType !== '1' && conversationType !== '2') || !conversationId || !senderId) {
    throw new PayloadError('dingtalk robot message without msgId, conversationType, conversationId or sender');
  }
  const group = conversationType === '2';
  // In groups only @-mentions are delivered (§2.1 receive.md); still refuse the rest in case they arrive.
  if (group && !mentionsRobot(payload)) return null;
  const { kind, text, attachment } = contentOf(payload, group);
  const message: InboundMessage = {
    platformMessageId: msgId,
    contact: group
      ? { externalId: `${GROUP_PREFIX}${conversationId}`, name: str(payload.conversationTitle) ?? null }
      : { externalId: senderId, name: str(payload.senderNick) ?? null },
    address: addressOf(payload, conversationType, conversationId, opts.robotCode),
    sender: 'customer',
    kind,
    text,
    sentAt: sentAtOf(payload.createAt, opts.now),
  };
  if (attachment !== undefined) message.attachment = attachment;
  return message;
}

function mentionsRobot(p: Json): boolean {
  if (p.isInAtList === true) return true;
  if (p.isInAtList === false) return false;
  const bot = str(p.chatbotUserId);
  return Array.isArray(p.atUsers) && bot !== undefined && p.atUsers.some((u) => isObject(u) && u.dingtalkId === bot);
}

/** What a reply needs (§2.2, §2.3); only strings, empty values left out. */
function addressOf(p: Json, conversationType: string, conversationId: string, robotCode?: string): Record<string, string> {
  const address: Record<string, string> = { conversationType, conversationId };
  const put = (key: string, value: string | undefined): void => { if (value) address[key] = value; };
  put('sessionWebhook', str(p.sessionWebhook));
  const expires = p.sessionWebhookExpiredTime;
  put('sessionWebhookExpiredTime', typeof expires === 'number' || typeof expires === 'string' ? String(expires) : undefined);
  put('senderStaffId', str(p.senderStaffId));
  put('robotCode', str(p.robotCode) ?? robotCode);
  return address;
}

interface Content { kind: MessageKind; text: string | null; attachment?: Record<string, string> }

/** Never throws on unknown shapes: anything unreadable becomes `other` for a human (§2.1 unknownMsgType). */
function contentOf(p: Json, group: boolean): Content {
  const msgtype = str(p.msgtype) ?? '';
  const content = isObject(p.content) ? p.content : {};
  if (msgtype === 'text') {
    const raw = isObject(p.text) ? str(p.text.content) ?? '' : '';
    return { kind: 'text', text: cleanText(raw, group) };
  }
  if (msgtype === 'richText') return richText(content, group);
  const kind = KINDS[msgtype] ?? 'other';
  const attachment = pick(content, ['downloadCode', 'fileName', 'fileId', 'spaceId', 'duration', 'videoType']);
  attachment.msgtype = msgtype || 'unknown';
  // audio carries DingTalk's own speech-to-text; agents can read it even if the bot does not.
  const text = kind === 'voice' ? str(content.recognition)?.trim() || null : null;
  return { kind, text, attachment };
}

/** richText: text parts joined; with a picture in it the bot cannot read the whole, so `other`. */
function richText(content: Json, group: boolean): Content {
  const parts = Array.isArray(content.richText) ? content.richText.filter(isObject) : [];
  const texts = parts.map((part) => str(part.text)).filter((t): t is string => t !== undefined);
  const pictures = parts.filter((part) => part.type === 'picture').map((part) => str(part.downloadCode)).filter(Boolean);
  const text = cleanText(texts.join(''), group);
  if (pictures.length === 0) return { kind: 'text', text };
  return { kind: 'other', text, attachment: { msgtype: 'richText', downloadCodes: pictures.join(',') } };
}

/**
 * DingTalk removes the robot's own @mention and leaves a leading space (§2.1); some clients keep
 * the `@name` text. In groups, leading @-tokens address the robot, so they go too.
 */
function cleanText(raw: string, group: boolean): string | null {
  let text = raw.trim();
  if (group) text = text.replace(/^(?:@\S+\s+)+/u, '').trim();
  return text === '' ? null : text;
}

function sentAtOf(createAt: unknown, now: Date): Date {
  const ms = typeof createAt === 'number' ? createAt : typeof createAt === 'string' ? Number(createAt) : NaN;
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : now;
}

function pick(source: Json, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = source[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
