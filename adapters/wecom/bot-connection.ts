/**
 * One 企业微信 智能机器人 long connection per channel (issue 15), on the official
 * `@wecom/aibot-node-sdk` 1.0.7: the SDK dials WECOM_BOT_WS_URL, authenticates with `aibot_subscribe`
 * {bot_id, secret}, pings every 30 s and reconnects with capped exponential backoff (1 s → 30 s),
 * also after a failed authentication (never given up on here: the channel shows the error and
 * the retries go on until an admin fixes the secret or turns the channel off).
 *
 * Every message frame is committed (`deliver`) before anything is sent on it. Replies: a bot answer
 * goes as a stream reply (`aibot_respond_msg`) on the chat's latest message frame while the platform
 * accepts it, else as a proactive send (`aibot_send_msg`); agents' replies always as a proactive send.
 * Platform vocabulary (aibot_*, req_id, frames) stays in this file.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { WSClient, type TemplateCard, type WsFrame } from '@wecom/aibot-node-sdk';
import { PlatformError } from '../../src/domain/errors.js';
import type { InboundMessage } from '../../src/domain/message.js';
import type { ConnectionActions, DeliverMessages, OutgoingMessage, PlatformConnection, ReportConnection, SendReceipt, SendTarget } from '../../src/ports/channel-adapter.js';
import { mediaItemsOf, withMediaIds, type MediaFetcher, type MediaItem } from './bot-media.js';
import { parseBotCallback } from './bot-parse.js';

export interface BotConnectionOptions {
  botId: string;
  secret: string;
  /** WECOM_BOT_WS_URL; the SDK's default is wss://openws.work.weixin.qq.com. */
  wsUrl: string;
  deliver: DeliverMessages;
  report?: ReportConnection;
  /** issue 15: members' feedback on our answers. */
  actions?: ConnectionActions;
  logger?: Logger;
  /** issue 15 item 2: downloads the files of committed messages; without it, media is stored as ids only. */
  media?: MediaFetcher;
  /** The channel's welcome message, read when an enter_chat event comes. */
  welcome: () => string | null | undefined;
  /** First reconnect delay; the SDK doubles it up to 30 s. Default 1 s. */
  reconnectMs?: number;
  /** Default 30 s (the SDK's). */
  heartbeatMs?: number;
  /** How long after a message its frame is still tried for a stream reply; default 5 min. */
  streamWindowMs?: number;
}

/** The latest message frame of a chat, for a stream reply to it. */
interface OpenFrame {
  frame: WsFrame;
  at: number;
  used: boolean;
}

/** Stream content is limited to 20,480 bytes (UTF-8); longer answers are cut at a character boundary. */
const MAX_STREAM_BYTES = 20_480;
function clip(text: string): string {
  if (Buffer.byteLength(text, 'utf8') <= MAX_STREAM_BYTES) return text;
  let out = Buffer.from(text, 'utf8').subarray(0, MAX_STREAM_BYTES).toString('utf8');
  if (out.endsWith('\uFFFD')) out = out.slice(0, -1);
  return out;
}

/** A pino logger as the SDK's logger (its debug lines carry whole frames: kept at debug). */
function sdkLogger(logger?: Logger) {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, ...args: unknown[]) =>
    logger?.[level]({ sdk: args.length ? args.map(String).join(' ') : undefined }, `wecom bot sdk: ${message}`);
  return { debug: at('debug'), info: at('debug'), warn: at('warn'), error: at('warn') };
}

export class BotLongConnection implements PlatformConnection {
  private closed = false;
  private readonly client: WSClient;
  private readonly frames = new Map<string, OpenFrame>();
  /** The latest refused authentication, until one succeeds. */
  private authError: string | undefined;

  constructor(private readonly opts: BotConnectionOptions) {
    this.client = new WSClient({
      botId: opts.botId, secret: opts.secret, wsUrl: opts.wsUrl,
      reconnectInterval: opts.reconnectMs ?? 1000,
      heartbeatInterval: opts.heartbeatMs ?? 30_000,
      // -1: never give up (the SDK stops after 5 failed authentications by default); backoff caps at 30 s.
      maxReconnectAttempts: -1,
      maxAuthFailureAttempts: -1,
      logger: sdkLogger(opts.logger),
    });
    this.client.on('authenticated', () => {
      this.authError = undefined;
      this.say('connected');
    });
    this.client.on('error', (err) => {
      if (/authentication failed/i.test(err.message)) this.authError = err.message;
      this.say('reconnecting', err.message);
    });
    // After a refused authentication the SDK closes the socket itself: the refusal is the reason shown.
    this.client.on('disconnected', (reason) => this.say('reconnecting', this.authError ?? `connection closed (${reason})`));
    this.client.on('message', (frame) => void this.onMessage(frame).catch(() => undefined));
    this.client.on('event', (frame) => void this.onEvent(frame).catch(() => undefined));
  }

  open(): void {
    this.say('connecting');
    this.client.connect();
  }

  get connected(): boolean {
    return this.client.isConnected;
  }

  private say(state: 'connecting' | 'connected' | 'reconnecting', error?: string): void {
    if (this.closed) return;
    try {
      this.opts.report?.(error === undefined ? { state } : { state, error });
    } catch (err) {
      this.opts.logger?.warn({ err: (err as Error).message }, 'wecom bot: connection report failed');
    }
  }

  private parse(frame: WsFrame): InboundMessage | null {
    try {
      const callback = parseBotCallback(JSON.stringify(frame.body ?? null), new Date());
      if (callback.type === 'refresh') return null;
      if (callback.botId && callback.botId !== this.opts.botId) return null;
      const body = frame.body as { chattype?: string; chatid?: string; from?: { userid?: string } };
      // Where a reply goes: the group, or in a single chat the member's userid (aibot_send_msg chatid).
      const chatId = body.chattype === 'group' && body.chatid ? body.chatid : body.from!.userid!;
      return { ...callback.message, address: { chatId } };
    } catch (err) {
      this.opts.logger?.warn({ err: (err as Error).message }, 'wecom bot: unreadable frame dropped');
      return null;
    }
  }

  /** Commit first: nothing is sent on a frame whose message is not stored. */
  private async onMessage(frame: WsFrame): Promise<void> {
    const parsed = this.parse(frame);
    if (!parsed) return;
    const files = this.opts.media ? mediaItemsOf(frame.body) : [];
    const message = withMediaIds(parsed, files);
    // Remembered before the commit: the bot turn it starts may answer before deliver returns.
    const chatId = message.address!.chatId;
    const open: OpenFrame = { frame, at: Date.now(), used: false };
    this.frames.set(chatId, open);
    // Review item 5: the files are pending before the message is committed (the commit path has no
    // room for them in its transaction), so no crash in between leaves a file nobody fetches or gives up.
    let expected = files.length === 0 || (await this.expect(message.platformMessageId, files, open.at));
    try {
      await this.opts.deliver([message]);
    } catch (err) {
      if (this.frames.get(chatId) === open) this.frames.delete(chatId);
      this.opts.logger?.warn({ err: (err as Error).message }, 'wecom bot: message not stored');
      return;
    }
    if (files.length === 0) return;
    // After the commit and off the frame's path: the URLs expire within minutes, so now.
    void (async () => {
      expected ||= await this.expect(message.platformMessageId, files, open.at);
      if (expected) await this.opts.media?.fetch(files);
    })();
  }

  private async expect(platformMessageId: string, files: MediaItem[], receivedAt: number): Promise<boolean> {
    try {
      await this.opts.media?.expect(platformMessageId, files, receivedAt);
      return true;
    } catch (err) {
      this.opts.logger?.warn({ err: (err as Error).message }, 'wecom bot: media not recorded as pending');
      return false;
    }
  }

  private async onEvent(frame: WsFrame): Promise<void> {
    const eventType = (frame.body as { event?: { eventtype?: string } } | undefined)?.event?.eventtype;
    if (eventType === 'disconnected_event') {
      // A newer connection of the same bot took over; the SDK closes this one for good.
      this.say('reconnecting', 'another connection of this bot took over (disconnected_event)');
      return;
    }
    const parsed = this.parse(frame);
    if (!parsed) return;
    const handoff = eventType === 'template_card_event' && cardEvent(frame)?.event_key === HANDOFF_KEY;
    // A click on 转人工 is the member asking for a person: stored as their 转人工, so the bot turn
    // hands off exactly as for the typed request (reason customer_request, holding message, queue).
    const message: InboundMessage = handoff
      ? { ...parsed, kind: 'text', text: HANDOFF_TEXT, event: undefined, attachment: { ...(parsed.attachment ?? {}), button: HANDOFF_TEXT } }
      : parsed;
    try {
      await this.opts.deliver([message]);
    } catch (err) {
      this.opts.logger?.warn({ err: (err as Error).message, eventType }, 'wecom bot: event not stored');
      return;
    }
    if (handoff) {
      // The card says so (aibot_respond_update_msg on the click, within WeCom's 5 s).
      const taskId = cardEvent(frame)?.task_id;
      await this.client.updateTemplateCard(frame, handoffCard(taskId, true), [message.contact.externalId])
        .catch((err: unknown) => this.opts.logger?.warn({ err: describe(err) }, 'wecom bot: card not updated'));
      return;
    }
    if (eventType === 'feedback_event') {
      const feedback = (frame.body as { event?: { feedback_event?: { id?: unknown; type?: unknown } } }).event?.feedback_event;
      const verdict = feedback?.type === 1 ? 'good' : feedback?.type === 2 ? 'bad' : feedback?.type === 3 ? null : undefined;
      if (typeof feedback?.id === 'string' && feedback.id && verdict !== undefined && this.opts.actions) {
        await this.opts.actions.customerFeedback({ messageId: feedback.id, verdict, contactExternalId: message.contact.externalId })
          .catch((err: unknown) => this.opts.logger?.warn({ err: describe(err) }, 'wecom bot: feedback not recorded'));
      }
      return;
    }
    if (eventType === 'enter_chat') {
      const welcome = this.opts.welcome()?.trim();
      // The welcome goes on the event itself, within WeCom's 5 s (aibot_respond_welcome_msg).
      if (welcome) await this.client.replyWelcome(frame, { msgtype: 'text', text: { content: welcome } })
        .catch((err: unknown) => this.opts.logger?.warn({ err: describe(err) }, 'wecom bot: welcome not sent'));
    }
  }

  /** The chat's latest message frame, once, while a stream reply on it may still be accepted. */
  private takeFrame(chatId: string): OpenFrame | null {
    const open = this.frames.get(chatId);
    if (!open || open.used || Date.now() - open.at > (this.opts.streamWindowMs ?? 5 * 60_000)) return null;
    open.used = true;
    return open;
  }

  /** `handoffButton`: the answer carries a 转人工 button (a button_interaction card beside the stream). */
  async send(to: SendTarget, message: OutgoingMessage, opts: { handoffButton?: boolean } = {}): Promise<SendReceipt> {
    if (!this.client.isConnected) throw new PlatformError('the long connection is not up', { retryable: true });
    const chatId = to.address?.chatId ?? to.externalId;
    const open = message.sender === 'agent' ? null : this.takeFrame(chatId);
    if (open) {
      try {
        const streamId = `s${randomBytes(12).toString('hex')}`;
        const feedback = message.messageId ? { id: message.messageId } : undefined;
        if (opts.handoffButton) {
          await this.client.replyStreamWithCard(open.frame, streamId, clip(message.text), true, {
            streamFeedback: feedback, templateCard: handoffCard(`handoff_${randomBytes(8).toString('hex')}`, false),
          });
        } else {
          await this.client.replyStream(open.frame, streamId, clip(message.text), true, undefined, feedback);
        }
        return { platformMessageId: streamId };
      } catch (err) {
        // Refused (the frame is too old, or already answered): the proactive send below carries it.
        if (!isAck(err)) throw toPlatformError(err);
        this.opts.logger?.info({ err: describe(err) }, 'wecom bot: stream reply refused; sending proactively');
      }
    }
    try {
      await this.client.sendMessage(chatId, { msgtype: 'markdown', markdown: { content: clip(message.text) } });
      return {};
    } catch (err) {
      throw toPlatformError(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.frames.clear();
    // Terminates the socket and cancels a pending reconnect (manual close: no reconnect).
    try {
      this.client.disconnect();
    } catch { /* never connected */ }
    this.client.removeAllListeners();
  }
}

/** The 转人工 button's key, and what a click is stored as (the words that hand off when typed). */
const HANDOFF_KEY = 'kefu_handoff';
const HANDOFF_TEXT = '转人工';

const cardEvent = (frame: WsFrame) =>
  (frame.body as { event?: { template_card_event?: { event_key?: string; task_id?: string } } } | undefined)?.event?.template_card_event;

/** The card under a barely-sure answer, and (done) what it says once clicked. */
function handoffCard(taskId: string | undefined, done: boolean): TemplateCard {
  return {
    card_type: 'button_interaction',
    main_title: done ? { title: '已为您转接人工客服', desc: '请稍候，客服会尽快回复您' } : { title: '没有解决您的问题？', desc: '可以转接人工客服' },
    button_list: [{ text: done ? '已转人工' : HANDOFF_TEXT, style: done ? 2 : 1, key: HANDOFF_KEY }],
    ...(taskId ? { task_id: taskId } : {}),
  };
}

/** The SDK rejects with the server's answer frame ({errcode, errmsg}) when it refused. */
const isAck = (err: unknown): err is { errcode: number; errmsg?: string } =>
  typeof err === 'object' && err !== null && typeof (err as { errcode?: unknown }).errcode === 'number';

const describe = (err: unknown) => (isAck(err) ? `errcode ${err.errcode} ${err.errmsg ?? ''}`.trim() : (err as Error)?.message ?? String(err));

function toPlatformError(err: unknown): PlatformError {
  if (isAck(err)) {
    return new PlatformError(`wecom bot send refused: ${describe(err)}`, { retryable: err.errcode === -1 || err.errcode === 45009, platformCode: String(err.errcode) });
  }
  const text = describe(err);
  // Sent, but no ack came (timeout, or the socket closed with the frame in flight): it may have arrived.
  const unknown = /ack timeout|cancelled/i.test(text);
  return new PlatformError(`wecom bot send: ${text}`, { retryable: true, outcomeUnknown: unknown });
}

export function openBotConnection(opts: BotConnectionOptions): BotLongConnection {
  const connection = new BotLongConnection(opts);
  connection.open();
  return connection;
}
