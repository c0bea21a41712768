import { randomUUID } from 'node:crypto';
import { assignmentOf, type Channel } from '../domain/channel.js';
import type { Contact } from '../domain/conversation.js';
import type { CompletedTurn } from '../ports/conversation-store.js';
import { offerConversation } from './auto-assign.js';
import { decideTurn } from './decide-turn.js';
import type { CoreDeps } from './deps.js';
import { startShadowTurn } from './run-shadow-turn.js';
import { scheduleTurn } from './schedule.js';
import { waitOutside } from './wait-outside.js';
import { sendOutboxMessage, type SendResult } from './send-outbox-message.js';

export type TurnResult =
  | { type: 'skipped' }
  | { type: 'lost' }
  | { type: 'done'; channelId: string; outcome: string; reason?: string; confidence?: number | null; completed: CompletedTurn; sends: SendResult[] };

/**
 * One bot turn for a conversation: take its lease (one turn at a time across all workers),
 * answer every pending customer message at once, commit the reply with the messages marked
 * done (exactly one reply per message), then wake the sender.
 */
export async function runBotTurn(deps: CoreDeps, conversationId: string): Promise<TurnResult> {
  const owner = `${deps.workerId}:${randomUUID()}`;
  const ctx = await deps.store.acquireTurn(conversationId, owner, deps.settings.turnLeaseMs, deps.settings.historyLimit);
  if (!ctx) return { type: 'skipped' };
  let completed: CompletedTurn | null;
  let outcome;
  let channel: Channel | null;
  try {
    channel = await deps.channels.get(ctx.conversation.channelId);
    outcome = channel ? await decideTurn(deps, channel, ctx) : { type: 'store_only' as const };
    completed = await deps.store.completeTurn(conversationId, owner, ctx.pending.map((m) => m.id), outcome);
  } catch (err) {
    await deps.store.releaseTurn(conversationId, owner).catch(() => undefined);
    throw err;
  }
  if (!completed) return { type: 'lost' };

  announce(deps, ctx.conversation.channelId, conversationId, completed, ctx.conversation.status);
  // issue 14 item 4: an auto-assigned channel's handoff goes to the least busy online agent at once.
  // Not awaited, and a failure only logs: the turn is done, and the sweeper offers what is still waiting.
  if (outcome.type === 'handoff' && completed.status === 'queued' && channel && assignmentOf(channel) === 'auto') {
    void offerConversation(deps, conversationId).catch((err: Error) => deps.log.warn({ err: err.message, conversationId }, 'auto-assignment failed; the sweeper offers it again'));
  }
  // Sent right here rather than through another queue hop: the reply leaves as soon as it is
  // committed, and a draining worker finishes its turns' sends before it exits. A failure leaves
  // the outbox row pending for the retry path and the sweeper.
  const sends: SendResult[] = [];
  for (const outboxId of completed.outboxIds) {
    sends.push(await sendOutboxMessage(deps, outboxId).catch((err: Error) => {
      deps.log.warn({ err: err.message, outboxId }, 'send failed; the sweeper will retry it');
      return 'retry' as const;
    }));
  }
  // issue 13 item 4: only now, with the reply out, may a shadow adapter answer the same turn; not awaited.
  if (channel) startShadowTurn(deps, channel, ctx, outcome, completed);
  if (outcome.type === 'handoff' && completed.status === 'queued' && channel) await transferToHuman(deps, channel, ctx.contact);
  // Messages that arrived while the model was thinking get their own turn.
  const next = await deps.store.firstPendingMessageId(conversationId);
  if (next) scheduleTurn(deps, conversationId, next, 0);
  return {
    type: 'done',
    channelId: ctx.conversation.channelId,
    outcome: outcome.type,
    reason: outcome.type === 'handoff' ? outcome.reason : undefined,
    confidence: outcome.type === 'answer' || outcome.type === 'handoff' ? outcome.confidence : undefined,
    completed,
    sends,
  };
}

/** Where the platform has its own human queue (WeCom 微信客服 in `wecom` mode), hand the session there too. */
async function transferToHuman(deps: CoreDeps, channel: Channel, contact: Contact): Promise<void> {
  const adapter = deps.adapters.get(channel.kind);
  await waitOutside(deps, async () => adapter?.transferToHuman?.(channel, { externalId: contact.externalId, address: contact.address }))
    .catch((err: Error) => deps.log.warn({ err: err.message, channelId: channel.id }, 'platform transfer to a human failed; the conversation is queued here'));
}

function announce(deps: CoreDeps, channelId: string, conversationId: string, completed: CompletedTurn, before: string): void {
  const events = completed.addedMessageIds.map((messageId) =>
    deps.events.publish({ type: 'message.added', conversationId, channelId, messageId, sender: 'bot' }),
  );
  if (completed.status !== before) events.push(deps.events.publish({ type: 'conversation.updated', conversationId, channelId, status: completed.status }));
  void Promise.all(events).catch((err: Error) => deps.log.warn({ err: err.message }, 'event not published'));
}
