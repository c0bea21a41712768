import type { Channel } from '../domain/channel.js';
import { maskPii } from '../domain/pii.js';
import type { CompletedTurn, TurnContext, TurnOutcome } from '../ports/conversation-store.js';
import type { Responder } from '../ports/responder.js';
import type { CoreDeps } from './deps.js';
import { buildResponderInput, turnQuestion } from './responder-input.js';

/**
 * Shadow calls one process may have in flight at once. A slow or hung model node must not pile up
 * requests behind live traffic: past this, shadow turns are dropped (and counted), never queued.
 */
export const SHADOW_IN_FLIGHT = 4;

/** Per responder, i.e. per process: how many shadow calls are running now, and how many were dropped. */
const inFlight = new WeakMap<Responder, number>();
let dropped = 0;

/** Shadow turns this process dropped because SHADOW_IN_FLIGHT were already running. */
export function droppedShadowTurns(): number {
  return dropped;
}

/** The live turn asked the model: it answered, its answer was not sure enough to send, or it only promised a person. */
function askedTheModel(outcome: TurnOutcome): outcome is Extract<TurnOutcome, { type: 'answer' | 'handoff' }> {
  return outcome.type === 'answer' || (outcome.type === 'handoff' && (outcome.reason === 'low_confidence' || outcome.reason === 'model_declined'));
}

/**
 * issue 13 item 4: after a live turn has committed and sent, the channel's shadow adapter answers
 * the same input in the background. Not awaited by the caller (it never delays the live reply);
 * its answer is only stored (never an outbox row, never an event a customer sees); any failure,
 * the model node down included, becomes a failed shadow row and nothing else.
 */
export function startShadowTurn(deps: CoreDeps, channel: Channel, ctx: TurnContext, outcome: TurnOutcome, completed: CompletedTurn): void {
  const shadowName = channel.model.shadowName;
  if (!shadowName || !askedTheModel(outcome)) return;
  const responder = deps.shadowResponder;
  const running = inFlight.get(responder) ?? 0;
  if (running >= SHADOW_IN_FLIGHT) {
    dropped += 1;
    deps.log.warn({ channelId: channel.id, shadow: shadowName, inFlight: running, dropped }, 'shadow turn dropped: too many in flight');
    return;
  }
  inFlight.set(responder, running + 1);
  void runShadowTurn(deps, channel, ctx, outcome, completed, shadowName)
    .catch((err: Error) => deps.log.warn({ err: err.message, channelId: channel.id, shadow: shadowName }, 'shadow answer not stored'))
    .finally(() => inFlight.set(responder, Math.max(0, (inFlight.get(responder) ?? 1) - 1)));
}

async function runShadowTurn(
  deps: CoreDeps, channel: Channel, ctx: TurnContext, outcome: Extract<TurnOutcome, { type: 'answer' | 'handoff' }>, completed: CompletedTurn, shadowName: string,
): Promise<void> {
  let shadow: { text: string; confidence: number } | null = null;
  let error: string | null = null;
  try {
    // The same prompt the live turn had (knowledge, history, question); only the adapter differs.
    shadow = await deps.shadowResponder.answer(await buildResponderInput(deps, channel, ctx, shadowName));
  } catch (err) {
    error = (err as Error).message ?? String(err);
  }
  await deps.shadowAnswers.add({
    channelId: channel.id,
    conversationId: ctx.conversation.id,
    liveMessageId: completed.addedMessageIds.at(-1) ?? null,
    question: maskPii(turnQuestion(ctx)).text,
    liveModel: channel.model.name || deps.settings.defaultModelName,
    shadowModel: shadowName,
    liveOutcome: outcome.type,
    // Masked like the question (review item 4): an answer can repeat the customer's number or address.
    liveText: outcome.type === 'answer' ? maskPii(outcome.text).text : null,
    liveConfidence: outcome.confidence,
    shadowText: shadow ? maskPii(shadow.text).text : null,
    shadowConfidence: shadow ? Math.min(1, Math.max(0, shadow.confidence)) : null,
    ok: shadow !== null,
    error,
  });
}
