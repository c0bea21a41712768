/**
 * issue 15 item 2: media a customer sent that the platform lends only for minutes (WeCom 智能机器人
 * over the long connection), fetched soon after the message was committed and kept for agents.
 * `key` is the adapter's id for one file of one message: the attachment's `mediaId`.
 *
 * Review item 5: what is still to fetch lives here too (`pending`, with what the adapter needs to
 * fetch it and until when that works), so a crash, deploy or lease move between the commit and
 * the download leaves work that the next holder of the channel's connection resumes, and that any
 * process gives up once it can no longer succeed.
 */

export interface MediaFile {
  contentType: string;
  fileName: string | null;
  body: Buffer;
}

/** A file still to fetch. `source`: the adapter's own note of where from (opaque here, never logged). */
export interface PendingMedia {
  key: string;
  platformMessageId: string;
  source: string;
  /** After this the source no longer works: the file is given up. */
  deadline: Date;
}

/** What became of one key: its bytes, the reason it was given up, or not yet fetched. */
export type MediaLookup =
  | { state: 'stored'; file: MediaFile }
  | { state: 'unavailable'; reason: string }
  | { state: 'pending' }
  | null;

/** Why a file whose deadline passed is given up (shown to agents). */
export const MEDIA_EXPIRED_REASON = 'the link to this file expired before it could be downloaded';

export interface MediaFiles {
  /**
   * Records files to fetch; a key already pending takes the newer source and the later deadline
   * (a redelivered message may carry a fresh link), a settled key is left as it is.
   */
  expect(channelId: string, items: PendingMedia[]): Promise<void>;
  /** The channel's pending files, soonest deadline first. */
  pending(channelId: string, limit: number): Promise<PendingMedia[]>;
  /** The key while it is pending (its latest source), else null. */
  current(channelId: string, key: string): Promise<PendingMedia | null>;
  /**
   * Keeps the bytes of a pending key and forgets its source: false when the key is not pending
   * (settled meanwhile, or never expected) or its message is not stored (bytes are never kept
   * for a message we lack).
   */
  save(channelId: string, key: string, file: MediaFile): Promise<boolean>;
  /**
   * Gives a pending key up for good, forgets its source, and says so on its message's attachment
   * (`mediaUnavailable`: the reason; `mediaUnavailableIds`: the keys given up, newline-separated),
   * so the console marks that file without a click. No-op when the key is not pending.
   */
  markUnavailable(channelId: string, key: string, reason: string): Promise<void>;
  /** Every channel's pending keys whose deadline is before `now`, up to `limit`, given up as markUnavailable does. */
  giveUpExpired(now: Date, limit: number): Promise<number>;
  /** `now`: a pending key past its deadline reads as unavailable (MEDIA_EXPIRED_REASON). */
  get(channelId: string, key: string, now: Date): Promise<MediaLookup>;
}
