import type { Channel } from '../domain/channel.js';
import type { PolledReplies } from '../ports/channel-adapter.js';
import type { CoreDeps } from './deps.js';

/**
 * How long before the platform's own limit a poll stops waiting for a person: an empty final
 * answer in time beats a chat the platform cuts off.
 */
const FINISH_BEFORE_LIMIT_MS = 30_000;

/**
 * A platform asks for the replies to the customer message `ref` (ChannelAdapter.pollDelivery):
 * hand over what is ready and say whether more will come. More comes while the bot turn has not
 * run or a sender holds a reply; while a person holds the conversation, until an agent answered
 * (a handoff's holding message, then the agent's answer, in the one chat bubble); never after
 * the platform's window.
 */
export async function answerPoll(deps: CoreDeps, channel: Channel, ref: string, windowMs: number): Promise<PolledReplies> {
  const take = await deps.outbox.takeForPoll(channel.id, ref);
  // Not ours (never acknowledged with a stream), so nothing will ever come for it.
  if (!take) return { texts: [], final: true };
  // The console shows a reply as sent when it hears so, as after any other platform's send.
  for (const messageId of take.takenMessageIds) {
    void deps.events
      .publish({ type: 'message.status', conversationId: take.conversationId, channelId: channel.id, messageId, status: 'sent' })
      .catch(() => undefined);
  }
  const texts = take.delivered.map((d) => d.text);
  const waitedMs = deps.clock.now().getTime() - take.askedAt.getTime();
  if (waitedMs >= windowMs - FINISH_BEFORE_LIMIT_MS) return { texts, final: true };
  if (take.delivered.some((d) => d.sender === 'agent')) return { texts, final: true };
  if (take.unanswered || take.inFlight) return { texts, final: false };
  // The turn has run and what it wrote is delivered; with a person on it, their answer may follow.
  return { texts, final: take.conversationStatus === 'bot' || take.conversationStatus === 'closed' };
}
