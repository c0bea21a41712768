/**
 * issue 15 item 2: images, files and videos a member sends over the long connection, kept for
 * agents. A frame's URLs expire within minutes ("五分钟内有效", SDK types), so fetching on demand
 * (as 微信客服's media/get allows) would not work: each file is downloaded soon after its message
 * is committed, never before and never on the frame's path, retried with backoff, and then either
 * stored (MediaFiles) or given up and marked unavailable on the message. The message itself is
 * never lost to a failed download. Each file is recorded as pending (link, key, deadline) before
 * its message is committed, so a crash never leaves a file nobody fetches or gives up (review item 5).
 *
 * A file's media id is `<msgid>#<n>` (n: its place in the frame), known at parse time: the
 * attachment carries it from the commit on, and a redelivered frame names the same file.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { InboundMessage } from '../../src/domain/message.js';
import { PlatformError } from '../../src/domain/errors.js';
import { MEDIA_EXPIRED_REASON, type MediaFile, type MediaFiles } from '../../src/ports/media-files.js';
import { downloadEncryptedFile, type DownloadPolicy } from './bot-download.js';

export interface MediaItem {
  key: string;
  url: string;
  aeskey: string | undefined;
  /** What the frame says it is; the bytes decide the content type. */
  kind: 'image' | 'file' | 'video';
}

const media = z.object({ url: z.string().min(1).max(4096), aeskey: z.string().max(256).optional() }).passthrough();
const frameMedia = z.object({
  msgid: z.string(),
  msgtype: z.string(),
  image: media.optional(),
  file: media.optional(),
  video: media.optional(),
  mixed: z.object({ msg_item: z.array(z.object({ msgtype: z.string(), image: media.optional() }).passthrough()).max(100) }).passthrough().optional(),
}).passthrough();

/** The files a message frame carries, in frame order (a 图文混排's images; an image, file or video). */
export function mediaItemsOf(body: unknown): MediaItem[] {
  const parsed = frameMedia.safeParse(body);
  if (!parsed.success) return [];
  const f = parsed.data;
  const found: Array<{ kind: MediaItem['kind']; url: string; aeskey?: string }> = [];
  if (f.msgtype === 'mixed') {
    for (const item of f.mixed?.msg_item ?? []) if (item.msgtype === 'image' && item.image) found.push({ kind: 'image', ...item.image });
  } else if (f.msgtype === 'image' || f.msgtype === 'file' || f.msgtype === 'video') {
    const content = f[f.msgtype];
    if (content) found.push({ kind: f.msgtype, ...content });
  }
  return found.map((m, i) => ({ key: `${f.msgid}#${i + 1}`, url: m.url, aeskey: m.aeskey, kind: m.kind }));
}

/**
 * The message as stored in long-connection mode: the expiring URLs go (they are useless within
 * minutes and never followed from the console), the media ids come: `mediaId` (the first file,
 * what the console opens) and `mediaIds` (all, newline-separated) when a 图文混排 has several images.
 */
export function withMediaIds(message: InboundMessage, items: MediaItem[]): InboundMessage {
  const { url: _url, imageUrls: _imageUrls, ...rest } = message.attachment ?? {};
  if (items.length === 0) return message;
  const attachment: Record<string, string> = { ...rest, mediaId: items[0].key };
  if (items.length > 1) attachment.mediaIds = items.map((i) => i.key).join('\n');
  // A video (long connection only, SDK VideoMessage) is parsed as `other` in both modes; here it has its file.
  const kind = message.kind === 'other' && items[0].kind === 'video' ? 'video' : message.kind;
  return { ...message, kind, attachment };
}

/** What the bytes are, by their first bytes; anything else is served as a download, never rendered. */
export function contentTypeOf(body: Buffer): string {
  const starts = (hex: string, at = 0) => body.subarray(at, at + hex.length / 2).toString('hex') === hex;
  if (starts('ffd8ff')) return 'image/jpeg';
  if (starts('89504e470d0a1a0a')) return 'image/png';
  if (starts('47494638')) return 'image/gif';
  if (starts('52494646') && starts('57454250', 8)) return 'image/webp';
  if (starts('424d')) return 'image/bmp';
  if (starts('25504446')) return 'application/pdf';
  return 'application/octet-stream';
}

/** Downloads at once per process (review item 6): each may hold up to maxBytes in memory. */
export const MAX_PARALLEL_DOWNLOADS = 3;

/** A process's download slots, shared by every channel's MediaFetcher (created once per adapter). */
export class DownloadSlots {
  private readonly waiting: Array<() => void> = [];
  private running = 0;

  constructor(private readonly max = MAX_PARALLEL_DOWNLOADS) {}

  /** A finished download hands its slot to the next waiting one directly, so none can slip in between. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

export interface MediaFetcherOptions {
  store: MediaFiles;
  channelId: string;
  policy: DownloadPolicy;
  slots: DownloadSlots;
  /** Waits before the 2nd, 3rd… attempt; default 1 s, 2 s, 4 s (well inside the URL's five minutes). */
  retryDelaysMs?: readonly number[];
  logger?: Logger;
  now?: () => number;
}

export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000] as const;
/**
 * How long after its frame came a file is still tried: the URL is good for five minutes
 * ("五分钟内有效"), less a margin for the clock and the last attempt (review items 5 and 7).
 */
export const MEDIA_DEADLINE_MS = 270_000;
/** Fresh links tried at once after a failure, at most (review item 8): a bound, not a policy. */
const MAX_FRESH_LINKS = 5;
const NO_KEY = 'the platform sent no key to decrypt this file';

type Outcome = { file: MediaFile } | { reason: string } | null;
type Attempt = Outcome | { failed: unknown; source: string };

/** The pending row's source: the frame's URL and that file's own key. */
const sourceOf = (item: Pick<MediaItem, 'url' | 'aeskey'>): string => JSON.stringify({ url: item.url, aeskey: item.aeskey });
function readSource(source: string): { url: string; aeskey?: string } | null {
  try {
    const parsed = JSON.parse(source) as { url?: unknown; aeskey?: unknown };
    return typeof parsed.url === 'string' ? { url: parsed.url, aeskey: typeof parsed.aeskey === 'string' ? parsed.aeskey : undefined } : null;
  } catch {
    return null;
  }
}

/**
 * One per channel: downloads the files of committed messages, each key once in this process. What
 * is to fetch is a pending row (MediaFiles), so work a crash left behind is resumed by the
 * channel's next connection holder (resume), and each attempt uses the row's latest link.
 */
export class MediaFetcher {
  private readonly inFlight = new Set<string>();

  constructor(private readonly opts: MediaFetcherOptions) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Records the message's files as pending (before its commit: no crash can lose them). */
  expect(platformMessageId: string, items: MediaItem[], receivedAt = this.now()): Promise<void> {
    const deadline = new Date(receivedAt + MEDIA_DEADLINE_MS);
    return this.opts.store.expect(this.opts.channelId, items.map((i) => ({ key: i.key, platformMessageId, source: sourceOf(i), deadline })));
  }

  /** Call after the message is committed. Never rejects; resolves once every file is stored or given up. */
  fetch(items: Array<Pick<MediaItem, 'key'>>): Promise<void> {
    return Promise.all(items.map((item) => this.fetchOne(item.key))).then(() => undefined);
  }

  /** At the start of a connection: what an earlier holder of the channel left pending. Never rejects. */
  async resume(): Promise<void> {
    try {
      await this.fetch(await this.opts.store.pending(this.opts.channelId, 500));
    } catch (err) {
      this.opts.logger?.warn({ err: (err as Error).message }, 'wecom bot: pending media not resumed');
    }
  }

  private async fetchOne(key: string): Promise<void> {
    // Claimed before any await: a redelivered frame arriving meanwhile downloads nothing itself.
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    const log = this.opts.logger?.child({ mediaKey: key });
    try {
      const outcome = await this.download(key, log);
      if (outcome && 'file' in outcome) await this.opts.store.save(this.opts.channelId, key, outcome.file);
      else if (outcome) await this.opts.store.markUnavailable(this.opts.channelId, key, outcome.reason);
    } catch (err) {
      // The database is away: the row stays pending, for a later holder or the deadline's give-up.
      log?.warn({ err: (err as Error).message }, 'wecom bot: media outcome not recorded');
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Null: the key was settled elsewhere meanwhile. */
  private async download(key: string, log?: Logger): Promise<Outcome> {
    const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    let fresh = 0;
    for (let attempt = 0; ; ) {
      const tried = await this.opts.slots.run(() => this.attempt(key));
      if (!tried || !('failed' in tried)) return tried;
      const err = tried.failed;
      const retryable = err instanceof PlatformError ? err.retryable : true;
      const reason = (err as Error).message;
      // Review item 8: a redelivered frame brought a fresh link meanwhile: that one is tried at once.
      const latest = await this.opts.store.current(this.opts.channelId, key);
      if (!latest) return null;
      if (latest.source !== tried.source && fresh++ < MAX_FRESH_LINKS) continue;
      if (!retryable || attempt >= delays.length) {
        log?.warn({ err: reason, attempts: attempt + 1 }, 'wecom bot: media given up');
        return { reason };
      }
      log?.info({ err: reason, attempt: attempt + 1 }, 'wecom bot: media download failed; retrying');
      await new Promise((r) => setTimeout(r, delays[attempt]).unref());
      attempt++;
    }
  }

  /** One try with the row's latest link, in a slot; past the deadline, given up without a request (review item 7). */
  private async attempt(key: string): Promise<Attempt> {
    const row = await this.opts.store.current(this.opts.channelId, key);
    if (!row) return null;
    const left = row.deadline.getTime() - this.now();
    if (left <= 0) return { reason: MEDIA_EXPIRED_REASON };
    const source = readSource(row.source);
    if (!source?.aeskey) return { reason: NO_KEY };
    try {
      const got = await downloadEncryptedFile(source.url, source.aeskey, { ...this.opts.policy, timeoutMs: Math.min(this.opts.policy.timeoutMs, left) });
      return { file: { body: got.body, fileName: got.fileName, contentType: contentTypeOf(got.body) } };
    } catch (err) {
      return { failed: err, source: row.source };
    }
  }
}
