import type { Channel } from '../domain/channel.js';
import type { Message } from '../domain/message.js';
import type { TurnContext } from '../ports/conversation-store.js';
import type { ChatTurn, ResponderInput } from '../ports/responder.js';
import type { CoreDeps } from './deps.js';

/** What was said, in order: no events (they store their name as text), no system notes. */
function toChatTurns(history: Message[]): ChatTurn[] {
  return history
    .filter((m) => m.kind === 'text' && m.text && (m.sender === 'customer' || m.sender === 'bot' || m.sender === 'agent'))
    .map((m) => ({ role: m.sender === 'customer' ? 'user' : 'assistant', content: m.text as string }));
}

/** The customer's new words of a turn, joined: what the knowledge search and the model are asked. */
export function turnQuestion(ctx: TurnContext): string {
  return ctx.pending
    .filter((m) => m.kind !== 'event')
    .map((m) => m.text ?? '')
    .join('\n');
}

/**
 * What the responder is asked for one turn: the knowledge hits, the history and the question.
 * One builder for the live turn and for a shadow adapter's (issue 13 item 4), so the two see the
 * same prompt and only the adapter differs. `modelName` overrides the channel's live adapter.
 */
export async function buildResponderInput(deps: CoreDeps, channel: Channel, ctx: TurnContext, modelName?: string): Promise<ResponderInput> {
  const question = turnQuestion(ctx);
  const knowledge = await deps.search.search(channel.id, question, deps.settings.knowledgeHits);
  return {
    modelName: modelName ?? (channel.model.name || deps.settings.defaultModelName),
    systemPrompt: channel.model.systemPrompt,
    knowledge,
    history: toChatTurns(ctx.history),
    question,
  };
}
