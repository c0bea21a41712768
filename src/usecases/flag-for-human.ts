import type { HandoffReason } from '../domain/conversation.js';
import type { CoreDeps } from './deps.js';

/**
 * Puts a conversation the bot holds in the human queue (bot → queued), e.g. when the platform
 * refused our reply. A conversation already with a person stays where it is; the console is told
 * either way. Returns whether this call moved it.
 */
export async function flagForHuman(deps: CoreDeps, conversationId: string, reason: HandoffReason, note: string): Promise<boolean> {
  const current = await deps.store.get(conversationId);
  if (!current) return false;
  const moved = current.status === 'bot' ? await deps.store.transition(conversationId, 'bot', 'queued', { handoffReason: reason }, note) : null;
  await deps.events
    .publish({ type: 'conversation.updated', conversationId, channelId: current.channelId, status: moved?.status ?? current.status })
    .catch(() => undefined);
  return moved !== null;
}
