/**
 * Decrypted 企业微信 智能机器人 callbacks (protocols/wecom.md §6: 接收消息 document/path/100719,
 * 接收事件 …/101027, stream refreshes §6.2) → what the adapter does with them. Platform field
 * names end here.
 */
import { z } from 'zod';
import { PayloadError } from '../../src/domain/errors.js';
import type { InboundMessage, MessageKind } from '../../src/domain/message.js';
import { parseSafeJson } from '../../src/domain/text.js';

export type BotCallback =
  /**
   * Something the user said or sent, readable or not (a type we do not read is `other`, which the
   * bot hands to a person): store it, answer with a stream the replies will fill.
   */
  | { type: 'message'; message: InboundMessage; botId: string }
  /** WeCom asks for the current content of a stream we opened (流式消息刷新). */
  | { type: 'refresh'; streamId: string; botId: string }
  /** The user opened the single chat (进入会话事件, first time that day): a welcome may answer it. */
  | { type: 'enter'; message: InboundMessage; botId: string }
  /** Other events (template card clicks, feedback): stored, not answered. */
  | { type: 'other'; message: InboundMessage; botId: string };

const text = z.object({ content: z.string().max(65_536) }).passthrough();
const media = z.object({ url: z.string().max(4096).optional() }).passthrough();
const callback = z.object({
  msgid: z.string().min(1).max(256),
  aibotid: z.string().max(256).default(''),
  chatid: z.string().max(256).optional(),
  chattype: z.enum(['single', 'group']).optional(),
  from: z.object({ userid: z.string().min(1).max(256) }).passthrough().optional(),
  create_time: z.number().int().nonnegative().optional(),
  msgtype: z.string().min(1).max(64),
  text: text.optional(),
  voice: text.optional(),
  image: media.optional(),
  file: media.optional(),
  mixed: z.object({
    msg_item: z.array(z.object({ msgtype: z.string(), text: text.optional(), image: media.optional() }).passthrough()).max(100),
  }).passthrough().optional(),
  stream: z.object({ id: z.string().min(1).max(256) }).passthrough().optional(),
  event: z.object({ eventtype: z.string().min(1).max(64) }).passthrough().optional(),
}).passthrough();

type Callback = z.infer<typeof callback>;

/** In a group the user @-mentions the bot first ("@RobotA hello"); the mention is not the question. */
const LEADING_MENTION = /^@\S+\s+/;

export function parseBotCallback(plain: string, now: Date): BotCallback {
  let json: unknown;
  try {
    json = parseSafeJson(plain); // NUL in text or userid answered 500 (issue 11)
  } catch {
    throw new PayloadError('[-40008] decrypted callback is not JSON');
  }
  const parsed = callback.safeParse(json);
  if (!parsed.success) throw new PayloadError(`[-40008] unexpected callback: ${parsed.error.issues[0]?.path.join('.') || 'body'} ${parsed.error.issues[0]?.message}`);
  const c = parsed.data;
  const botId = c.aibotid;

  if (c.msgtype === 'stream') {
    if (!c.stream) throw new PayloadError('[-40008] stream refresh without stream.id');
    return { type: 'refresh', streamId: c.stream.id, botId };
  }
  const userId = c.from?.userid;
  if (!userId) throw new PayloadError('[-40008] callback without from.userid');
  // Which group it came from, kept for agents with whatever else the message carries.
  const group: Record<string, string> = c.chattype === 'group' && c.chatid ? { chatId: c.chatid } : {};
  const withGroup = (extra: Record<string, string> = {}) => {
    const attachment = { ...group, ...extra };
    return Object.keys(attachment).length ? { attachment } : {};
  };
  const base = { platformMessageId: c.msgid, contact: { externalId: userId }, sentAt: c.create_time ? new Date(c.create_time * 1000) : now };

  if (c.msgtype === 'event') {
    const eventType = c.event?.eventtype;
    if (!eventType) throw new PayloadError('[-40008] event without eventtype');
    // `other`, not `enter`: the welcome goes out in the reply to this very callback (the only
    // way 智能机器人 accepts one), so no bot turn must write another.
    const message: InboundMessage = { ...base, kind: 'event', event: 'other', text: null, ...withGroup({ event: eventType }) };
    return eventType === 'enter_chat' ? { type: 'enter', message, botId } : { type: 'other', message, botId };
  }

  const { kind, text, extra } = readable(c) ?? { kind: 'other' as const, text: null };
  return { type: 'message', message: { ...base, kind, text, ...withGroup(extra) }, botId };
}

/** What the bot can read of a message, and what agents see of the rest (`extra`). */
function readable(c: Callback): { kind: MessageKind; text: string | null; extra?: Record<string, string> } | null {
  const strip = (s: string) => (c.chattype === 'group' ? s.replace(LEADING_MENTION, '') : s).trim();
  switch (c.msgtype) {
    case 'text':
      return c.text ? { kind: 'text', text: strip(c.text.content) } : null;
    case 'mixed': {
      // 图文混排: its text parts are the question; images are kept for agents.
      const items = c.mixed?.msg_item ?? [];
      const texts = items.flatMap((i) => (i.msgtype === 'text' && i.text ? [i.text.content] : []));
      const images = items.flatMap((i) => (i.msgtype === 'image' && i.image?.url ? [i.image.url] : []));
      return { kind: texts.length ? 'text' : 'image', text: texts.length ? strip(texts.join('\n')) : null, extra: images.length ? { imageUrls: images.join('\n') } : {} };
    }
    case 'voice':
      // The voice arrives already transcribed (100719; SDK VoiceContent: "语音转换成文本的内容"), with
      // no file to fetch: the words are its text, for agents, and the kind stays voice, so it goes to
      // a person as every voice note does (as DingTalk's recognition does).
      return { kind: 'voice', text: c.voice?.content.trim() || null };
    case 'image':
    case 'file': {
      // The file behind `url` is encrypted (callback mode: with the bot's EncodingAESKey, §6.2; long
      // connection: with the frame's own aeskey, fetched by bot-media.ts); never followed here.
      const url = c[c.msgtype]?.url;
      return { kind: c.msgtype, text: null, extra: url ? { url } : {} };
    }
    default:
      return null;
  }
}
