import { DEFAULT_SYSTEM_PROMPT } from '../domain/channel.js';
import type { ChatTurn, KnowledgeHit, ResponderInput } from '../ports/responder.js';

/** One message of an OpenAI-compatible chat request. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * More entries make the prompt longer and invite the model to mix answers; the retrieval ranks
 * well enough that the right entry is almost always among the first few.
 */
export const MAX_PROMPT_KNOWLEDGE = 5;

/**
 * Said to the model after the knowledge: the LoRA was tuned on these answers, and what keeps it from
 * inventing shop policy is being told that "I will transfer you" is the correct answer when the
 * knowledge is silent. Low logprobs on such turns, or the phrase itself, then lead to a handoff.
 */
const KNOWLEDGE_HEADER = '店铺知识（回答只能依据以下内容）：';
const NO_KNOWLEDGE = '（没有找到与这个问题相关的店铺知识）';
const ANSWER_RULES =
  '回答要求：只根据上面的店铺知识回答顾客，不要编造价格、时效、政策或订单信息；' +
  '店铺知识没有覆盖的问题，或需要查询顾客本人订单、账户信息的问题，请直接告诉顾客会为其转接人工客服。';

function phrasing(hit: KnowledgeHit): string {
  return [hit.entry.instruction, hit.entry.input].map((s) => s.trim()).filter((s) => s.length > 0).join(' / ');
}

/** In the order given (KnowledgeSearch returns best first), each entry once, at most `max`. */
function pickKnowledge(knowledge: readonly KnowledgeHit[], max: number): KnowledgeHit[] {
  const seen = new Set<string>();
  const picked: KnowledgeHit[] = [];
  for (const hit of knowledge) {
    if (picked.length >= max) break;
    if (seen.has(hit.entry.id)) continue;
    seen.add(hit.entry.id);
    picked.push(hit);
  }
  return picked;
}

export function buildSystemPrompt(systemPrompt: string, knowledge: readonly KnowledgeHit[], maxKnowledge = MAX_PROMPT_KNOWLEDGE): string {
  const hits = pickKnowledge(knowledge, maxKnowledge);
  const lines = hits.length === 0
    ? [NO_KNOWLEDGE]
    : hits.map((hit, i) => `${i + 1}. 顾客问：${phrasing(hit)}\n   回答：${hit.entry.output.trim()}`);
  const persona = systemPrompt.trim().length > 0 ? systemPrompt.trim() : DEFAULT_SYSTEM_PROMPT;
  return [persona, '', KNOWLEDGE_HEADER, ...lines, '', ANSWER_RULES].join('\n');
}

/** system (persona + knowledge + rules), then the history oldest first, then the new question. */
export function buildChatMessages(
  input: Pick<ResponderInput, 'systemPrompt' | 'knowledge' | 'history' | 'question'>,
  opts: { maxKnowledge?: number } = {},
): ChatMessage[] {
  const history = input.history
    .filter((turn: ChatTurn) => turn.content.trim().length > 0)
    .map((turn): ChatMessage => ({ role: turn.role, content: turn.content }));
  return [
    { role: 'system', content: buildSystemPrompt(input.systemPrompt, input.knowledge, opts.maxKnowledge) },
    ...history,
    { role: 'user', content: input.question },
  ];
}
