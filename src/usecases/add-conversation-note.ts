import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { ConversationNote } from '../ports/conversation-notes.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/** The longest note (issue 14 item 2); the HTTP schema says the same, the table checks it too. */
export const MAX_NOTE_LENGTH = 2000;

/**
 * An internal note in a conversation (issue 14 item 2): for agents only, never sent. Any agent or
 * admin may write one in any conversation, whoever holds it, closed ones too. Audited without the
 * text (audit rows are read more widely than conversations), announced so that every console
 * showing the conversation reloads it.
 */
export async function addConversationNote(deps: CoreDeps, actor: Actor, conversationId: string, text: string): Promise<ConversationNote> {
  const trimmed = text.trim();
  if (!trimmed) throw new ValidationError('text must not be empty');
  if (trimmed.length > MAX_NOTE_LENGTH) throw new ValidationError(`text must be at most ${MAX_NOTE_LENGTH} characters`);
  const conversation = await deps.store.get(conversationId);
  if (!conversation) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  const note = await deps.notes.add({ conversationId, authorId: actor.id, kind: 'note', text: trimmed });
  if (!note) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  await deps.audit.record({ actor: actor.id, action: 'conversation.note', target: `conversation:${conversationId}`, details: { noteId: note.id } });
  await deps.events
    .publish({ type: 'conversation.updated', conversationId, channelId: conversation.channelId, status: conversation.status })
    .catch(() => undefined);
  return note;
}
