/** The visitor's side of /webchat/:channelId (src/http/routes/webchat-routes.ts): send, history, reply stream. */

export type Sender = 'visitor' | 'bot' | 'agent';
export interface ChatMessage {
  id: string;
  from: Sender;
  text: string;
  at: string;
}

const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** A random id of the server's format (16-64 of [A-Za-z0-9_-]); it is the visitor's only credential. */
export function randomId(bytes = 18): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Kept per shop site and channel; a browser that refuses storage (private mode) gets one per page view. */
export function loadVisitorId(channelId: string): string {
  const key = `kefu-bridge:visitor:${channelId}`;
  try {
    const stored = localStorage.getItem(key);
    if (stored && VISITOR_ID.test(stored)) return stored;
    const id = randomId();
    localStorage.setItem(key, id);
    return id;
  } catch {
    return randomId();
  }
}

/** A 4xx other than 408/429 will not get better by trying again. */
class Refused extends Error {}

/** 429: the chat is rate limited (issue 11); the server says how long to wait in Retry-After. */
export class TooFast extends Error {
  constructor(readonly waitMs: number) {
    super('HTTP 429');
  }
}

/** 409 CHANNEL.PAUSED: the channel is disabled; the message waits for it to come back (issue 14 item 5). */
export class Paused extends Error {
  constructor() {
    super('HTTP 409 CHANNEL.PAUSED');
  }
}

export interface ChatStatus {
  online: boolean;
  offlineMessage: string;
}

function isStatus(value: unknown): value is ChatStatus {
  const v = value as Partial<ChatStatus> | null;
  return !!v && typeof v.online === 'boolean' && typeof v.offlineMessage === 'string';
}

/** Waits the server asks for up to this long are waited out with the message shown as sending. */
const LONGEST_WAIT_MS = 30_000;

function retryAfterMs(res: Response): number {
  const seconds = Number(res.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 2000;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Transport {
  history(): Promise<ChatMessage[]>;
  /** GET /webchat/:id/status: whether the channel takes messages now, and what to say while it does not. */
  status(): Promise<ChatStatus>;
  /**
   * Resolves once the server stored it; retries transient failures with the same clientMessageId,
   * after a 429 no sooner than its Retry-After. Rejects with TooFast when the wait is too long.
   */
  send(text: string, clientMessageId: string): Promise<void>;
  /** Opens the reply stream; reconnects by itself until the returned function is called. */
  listen(handlers: { onReply: (m: ChatMessage) => void; onState: (s: 'connecting' | 'online' | 'offline') => void; onOpen: () => void; onStatus: (s: ChatStatus) => void }): () => void;
}

/**
 * The name the embedding page passed (data-name), when the server will take it: 1-40 characters, no
 * control characters (src/http/routes/webchat-routes.ts). Anything else is dropped with a warning
 * rather than sent, or every message would be refused.
 */
export function visitorNameOf(raw: string | undefined): string | undefined {
  const name = raw?.trim();
  if (!name) return undefined;
  if ([...name].length > 40 || /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(name)) {
    console.warn('[kefu-bridge] data-name is ignored: it must be 1-40 characters without control characters');
    return undefined;
  }
  return name;
}

/** `name`: how agents see the visitor (issue 14 item 1); without one they are 访客 n. */
export function createTransport(origin: string, channelId: string, visitorId: string, name?: string): Transport {
  const base = `${origin}/webchat/${encodeURIComponent(channelId)}`;
  const query = `visitorId=${encodeURIComponent(visitorId)}`;

  async function postOnce(text: string, clientMessageId: string): Promise<void> {
    const res = await fetch(`${base}/messages`, {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ visitorId, text, clientMessageId, ...(name ? { name } : {}) }),
    });
    if (res.ok) return;
    if (res.status === 429) throw new TooFast(retryAfterMs(res));
    if (res.status === 409) {
      const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
      if (body?.error?.code === 'CHANNEL.PAUSED') throw new Paused();
    }
    if (res.status >= 400 && res.status < 500 && res.status !== 408) throw new Refused(`HTTP ${res.status}`);
    throw new Error(`HTTP ${res.status}`);
  }

  return {
    async history() {
      const res = await fetch(`${base}/messages?${query}`, { mode: 'cors', credentials: 'omit' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { items?: ChatMessage[] };
      return (body.items ?? []).filter((m) => typeof m.text === 'string' && m.text.length > 0);
    },

    async status() {
      const res = await fetch(`${base}/status`, { mode: 'cors', credentials: 'omit', cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body: unknown = await res.json();
      if (!isStatus(body)) throw new Error('bad status');
      return body;
    },

    async send(text, clientMessageId) {
      // The server stores a (visitorId, clientMessageId) pair once, so a retry after a lost
      // answer cannot duplicate the message.
      for (let attempt = 0; ; attempt++) {
        try {
          return await postOnce(text, clientMessageId);
        } catch (err) {
          if (err instanceof Refused || err instanceof Paused || attempt >= 2) throw err;
          if (err instanceof TooFast && err.waitMs > LONGEST_WAIT_MS) throw err;
          await wait(Math.max(1000 * 3 ** attempt, err instanceof TooFast ? err.waitMs : 0));
        }
      }
    },

    listen({ onReply, onState, onOpen, onStatus }) {
      let source: EventSource | null = null;
      let retryTimer: ReturnType<typeof setTimeout> | undefined;
      let delay = 2000;
      let stopped = false;

      const connect = () => {
        onState('connecting');
        const es = new EventSource(`${base}/events?${query}`);
        source = es;
        es.onopen = () => {
          delay = 2000;
          onState('online');
          onOpen();
        };
        es.addEventListener('status', (e) => {
          try {
            const data: unknown = JSON.parse((e as MessageEvent<string>).data);
            if (isStatus(data)) onStatus(data);
          } catch {
            /* a malformed event is skipped */
          }
        });
        es.addEventListener('reply', (e) => {
          try {
            const data = JSON.parse((e as MessageEvent<string>).data) as Partial<ChatMessage>;
            if (typeof data.text === 'string' && data.id) {
              onReply({ id: String(data.id), from: data.from === 'agent' ? 'agent' : 'bot', text: data.text, at: data.at ?? new Date().toISOString() });
            }
          } catch {
            /* a malformed event is skipped, the stream goes on */
          }
        });
        es.onerror = () => {
          if (stopped) return;
          onState('offline');
          // CONNECTING: the browser retries by itself. CLOSED: it gave up (an HTTP error, a CORS
          // refusal), so we try again later, backing off up to half a minute.
          if (es.readyState === EventSource.CLOSED) {
            es.close();
            retryTimer = setTimeout(connect, delay);
            delay = Math.min(delay * 2, 30000);
          }
        };
      };
      connect();
      return () => {
        stopped = true;
        clearTimeout(retryTimer);
        source?.close();
      };
    },
  };
}
