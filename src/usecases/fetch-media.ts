import { NotFoundError } from '../domain/errors.js';
import type { Message } from '../domain/message.js';
import type { CoreDeps } from './deps.js';

/**
 * The media id of file `item` of a message: item 0 is `mediaId`, the one every channel sets; a
 * message with several files (a WeCom 图文混排's images) lists them all in `mediaIds`,
 * newline-separated, the first being `mediaId` again (issue 15 follow-up).
 */
function mediaIdOf(message: Message | undefined, item: number): string | undefined {
  const attachment = message?.attachment;
  if (!attachment?.mediaId) return undefined;
  if (item === 0) return attachment.mediaId;
  return attachment.mediaIds?.split('\n')[item] || undefined;
}

/**
 * A customer's image, voice note or file, fetched from the platform by the media id its adapter
 * stored, never by following a URL from the payload (SSRF, protocols/reliability.md §3.2).
 * `fileName` when the platform named the file.
 */
export async function fetchMedia(
  deps: CoreDeps, conversationId: string, messageId: string, item = 0,
): Promise<{ contentType: string; body: Buffer; fileName?: string }> {
  const conversation = await deps.store.get(conversationId);
  const message = conversation ? (await deps.store.messages(conversationId, 500)).find((m) => m.id === messageId) : undefined;
  const mediaId = mediaIdOf(message, item);
  if (!conversation || !mediaId) throw new NotFoundError('MEDIA.NOT_FOUND', 'this message has no such media');
  const channel = await deps.channels.get(conversation.channelId);
  const adapter = channel ? deps.adapters.get(channel.kind) : undefined;
  if (!channel || !adapter?.fetchMedia) throw new NotFoundError('MEDIA.NOT_FOUND', 'this channel cannot fetch media');
  return adapter.fetchMedia(channel, mediaId);
}
