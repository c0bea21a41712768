import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { AgentDraft } from '../ports/conversation-store.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';
import { sendAgentReply } from './send-agent-reply.js';

/**
 * Agent assist (issue 13 item 5): the agent holding a chat handed off for low confidence sends the
 * bot's unsent draft as is, sends an edited version, or discards it. What they did is stored with
 * the draft; a sent or edited draft becomes an ordinary agent message, so it is a training pair like
 * any agent answer (and feeds learnFromAgentReply).
 */

export interface DraftOutcome {
  draft: AgentDraft;
  /** The agent message it became; null for a discard. */
  messageId: string | null;
}

/** The open draft `draftId` of the conversation, after the same checks as an agent reply. */
async function openDraftOf(deps: CoreDeps, conversationId: string, draftId: string) {
  const conversation = await deps.store.get(conversationId);
  if (!conversation) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  const draft = await deps.store.findDraft(conversationId, draftId);
  if (!draft) throw new NotFoundError('DRAFT.NOT_FOUND', `conversation ${conversationId} has no draft ${draftId}`);
  if (draft.status !== 'open') throw new ConflictError('DRAFT.CLOSED', `the draft was already ${draft.status}`);
  // Whoever acts on a draft answers the customer: the chat must be taken over first (as for a reply).
  if (conversation.status !== 'assigned') throw new ConflictError('CONVERSATION.NOT_ASSIGNED', 'take the conversation over before acting on its draft');
  return { conversation, draft };
}

const closed = () => new ConflictError('DRAFT.CLOSED', 'the draft was acted on meanwhile');

/**
 * Sends the draft: `text` absent or equal to the draft (both trimmed) is 'sent', anything else
 * 'edited'. The draft is closed first, conditionally, so two clicks (or two agents) send it once.
 * The reply's message is linked to the draft in the transaction that commits it, so a failure before
 * that commit (not assigned, refused) opens the draft again, and one after it (the audit insert)
 * cannot: the customer gets the reply, and a second click must not send it twice (issue 13 review).
 */
export async function sendDraft(deps: CoreDeps, actor: Actor, conversationId: string, draftId: string, text?: string): Promise<DraftOutcome> {
  const { draft } = await openDraftOf(deps, conversationId, draftId);
  const finalText = (text ?? draft.text).trim();
  if (!finalText) throw new ValidationError('text must not be empty');
  const status = finalText === draft.text.trim() ? 'sent' : 'edited';
  const claimed = await deps.store.closeDraft(draftId, { status, finalText, actedBy: actor.id });
  if (!claimed) throw closed();
  let messageId: string;
  try {
    ({ messageId } = await sendAgentReply(deps, actor, conversationId, finalText, { draftId }));
  } catch (err) {
    // A no-op when the message was committed (it links the draft): see reopenDraft.
    await deps.store.reopenDraft(draftId, actor.id).catch((e: Error) => deps.log.warn({ err: e.message, draftId }, 'a draft whose reply failed stays closed'));
    throw err;
  }
  await deps.audit.record({ actor: actor.id, action: 'conversation.draft.send', target: `conversation:${conversationId}`, details: { draftId, status, messageId } });
  return { draft: { ...claimed, messageId }, messageId };
}

/** Discards the draft: nothing goes to the customer; the console of every agent drops the card. */
export async function discardDraft(deps: CoreDeps, actor: Actor, conversationId: string, draftId: string): Promise<DraftOutcome> {
  const { conversation } = await openDraftOf(deps, conversationId, draftId);
  const discarded = await deps.store.closeDraft(draftId, { status: 'discarded', finalText: null, actedBy: actor.id });
  if (!discarded) throw closed();
  await deps.audit.record({ actor: actor.id, action: 'conversation.draft.discard', target: `conversation:${conversationId}`, details: { draftId } });
  await deps.events
    .publish({ type: 'conversation.updated', conversationId, channelId: conversation.channelId, status: conversation.status })
    .catch(() => undefined);
  return { draft: discarded, messageId: null };
}
