import { NotFoundError } from '../domain/errors.js';
import type { CoreDeps } from './deps.js';

/**
 * A customer's image, voice note or file, fetched from the platform by the media id its adapter
 * stored, never by following a URL from the payload (SSRF, protocols/reliability.md §3.2).
 */
export async function fetchMedia(deps: CoreDeps, conversationId: string, messageId: string): Promise<{ contentType: string; body: Buffer }> {
  const conversation = await deps.store.get(conversationId);
  const message = conversation ? (await deps.store.messages(conversationId, 500)).find((m) => m.id === messageId) : undefined;
  const mediaId = message?.attachment?.mediaId;
  if (!conversation || !mediaId) throw new NotFoundError('MEDIA.NOT_FOUND', 'this message has no media');
  const channel = await deps.channels.get(conversation.channelId);
  const adapter = channel ? deps.adapters.get(channel.kind) : undefined;
  if (!channel || !adapter?.fetchMedia) throw new NotFoundError('MEDIA.NOT_FOUND', 'this channel cannot fetch media');
  return adapter.fetchMedia(channel, mediaId);
}
