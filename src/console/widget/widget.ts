/**
 * The embeddable chat bubble for a web chat channel: the same bot and the same human handoff on a
 * shop's own site, with one tag:
 *
 *   <script src="https://HOST/widget.js" data-channel="CHANNEL_ID" data-title="在线客服" async></script>
 *
 * The API origin is the script's own origin; the channel's allowedOrigins must list the shop's.
 * Optional: data-lang="en" for English strings, data-open="true" to start with the panel open,
 * data-name="张三" for the name agents see (the shop's own name for a signed-in customer; without
 * it the visitor is 访客 n in the console).
 */
import { stringsFor } from './strings.js';
import { createTransport, loadVisitorId, Paused, randomId, TooFast, visitorNameOf, type ChatMessage, type ChatStatus } from './transport.js';
import { createView, type ConnectionState } from './view.js';

/** While paused, the status is asked this often too, in case the stream misses the change. */
const PAUSED_POLL_MS = 10_000;

function ownScript(): HTMLScriptElement | null {
  // currentScript is set while a classic script runs, async or not; the query is for odd loaders.
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.channel) return current;
  return document.querySelector<HTMLScriptElement>('script[data-channel][src*="widget.js"]');
}

function start(script: HTMLScriptElement): void {
  const channelId = script.dataset.channel ?? '';
  if (!channelId) return console.warn('[kefu-bridge] widget.js needs data-channel="CHANNEL_ID"');
  if (document.querySelector(`kefu-bridge-chat[data-channel="${CSS.escape(channelId)}"]`)) return; // included twice
  const origin = new URL(script.src, location.href).origin;
  const t = stringsFor(script.dataset.lang);
  const title = script.dataset.title?.trim() || t.title;
  const activeKey = `kefu-bridge:active:${channelId}`;
  const visitorId = loadVisitorId(channelId);
  const transport = createTransport(origin, channelId, visitorId, visitorNameOf(script.dataset.name));

  let connected = false;
  let historyLoaded = false;
  let sentHere = false;
  let loading: Promise<void> | null = null;
  let ready: Promise<void> = Promise.resolve();

  const show = (m: ChatMessage, first = false) => view.add(`m:${m.id}`, m.from, m.text, first);

  /**
   * A disabled channel pauses the chat (issue 14 item 5): the header says 暂停服务 with the
   * channel's offline message, and what the visitor types waits here, in order, until the channel
   * is back; then it is sent once, without a reload.
   */
  let connection: Exclude<ConnectionState, 'paused'> = 'connecting';
  let paused = false;
  let held: Array<() => Promise<void>> = [];
  let flushing = false;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  const showState = () => view.setState(paused ? 'paused' : connection);

  function applyStatus(status: ChatStatus): void {
    paused = !status.online;
    view.setPauseNote(paused ? status.offlineMessage : null);
    showState();
    clearTimeout(pollTimer);
    if (paused) pollTimer = setTimeout(poll, PAUSED_POLL_MS);
    else void flushHeld();
  }

  function poll(): void {
    transport.status().then(applyStatus, () => {
      if (paused) pollTimer = setTimeout(poll, PAUSED_POLL_MS);
    });
  }

  function pause(): void {
    if (paused) return;
    paused = true;
    showState();
    // The 409 carries no message: ask for the channel's own.
    poll();
  }

  async function flushHeld(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (!paused && held.length > 0) {
        const next = held[0];
        held = held.slice(1);
        await next();
      }
    } finally {
      flushing = false;
    }
  }

  /**
   * The first load shows the whole chat, above anything typed meanwhile; later loads (each time
   * the stream reopens) add only the replies missed while away. The visitor's own lines come from
   * history only before they typed here: those typed here carry a local key and would show twice.
   */
  function loadHistory(): Promise<void> {
    loading ??= (async () => {
      const first = !historyLoaded;
      const withVisitor = first && !sentHere;
      try {
        const items = await transport.history();
        historyLoaded = true;
        const missing = items.filter((m) => (withVisitor || m.from !== 'visitor') && !view.has(`m:${m.id}`));
        if (first) missing.reverse().forEach((m) => show(m, true));
        else missing.forEach((m) => show(m));
      } catch {
        /* offline: the stream's next open loads it again */
      }
    })().finally(() => {
      loading = null;
    });
    return loading;
  }

  /** The stream opens with the panel, or at once for a visitor who already chatted (an agent may answer). */
  function connect(): void {
    if (connected) return;
    connected = true;
    ready = loadHistory();
    transport.listen({
      onState: (s) => {
        connection = s;
        showState();
      },
      onStatus: applyStatus,
      onOpen: () => void loadHistory(),
      onReply: (m) => {
        if (view.has(`m:${m.id}`)) return;
        show(m);
        view.markUnread();
      },
    });
  }

  async function send(text: string): Promise<void> {
    await ready; // history first, so the visitor's own message is not shown twice
    sentHere = true;
    const clientMessageId = randomId(12);
    const key = `c:${clientMessageId}`;
    view.add(key, 'visitor', text);
    const attempt = async (): Promise<void> => {
      if (paused) {
        view.setSending(key, 'held');
        held.push(attempt);
        return;
      }
      view.setSending(key, 'sending');
      try {
        await transport.send(text, clientMessageId);
        view.setSending(key, 'sent');
        try {
          localStorage.setItem(activeKey, '1');
        } catch {
          /* storage refused: the stream then opens with the panel next time */
        }
      } catch (err) {
        if (err instanceof Paused) {
          pause();
          view.setSending(key, 'held');
          // First in line: it was taken from the front of the queue, or the queue was empty.
          held.unshift(attempt);
          return;
        }
        view.setSending(key, 'failed', () => void attempt(), err instanceof TooFast ? t.tooFast : undefined);
      }
    };
    await attempt();
  }

  const view = createView(t, title, { onOpen: connect, onSubmit: (text) => void send(text) });
  view.host.dataset.channel = channelId;
  document.body.appendChild(view.host);

  let active = false;
  try {
    active = localStorage.getItem(activeKey) === '1';
  } catch {
    /* storage refused */
  }
  if (active) connect();
  if (script.dataset.open === 'true') view.setOpen(true);
}

const script = ownScript();
if (!script) console.warn('[kefu-bridge] widget.js could not find its <script data-channel> tag');
else if (document.body) start(script);
else document.addEventListener('DOMContentLoaded', () => start(script), { once: true });
