/**
 * 分阶段 (issue 13 item 1): which of the recipe's stages a pair trains. The knowledge entry whose
 * answer the pair's answer nearly is (answer-match.ts matchAnswer) decides; otherwise a complaining
 * customer makes it `emotion`; otherwise `basic`.
 */
import { matchAnswer } from '../answer-match.js';
import { normalizeQuestion } from '../handoff-policy.js';
import type { TrainingStage } from './types.js';

export interface StagedEntry {
  id: string;
  output: string;
  stage: TrainingStage;
}

/** Words of a customer who is unhappy rather than asking: their turns train complaint handling. */
const COMPLAINT_WORDS = [
  '投诉', '差评', '太慢了', '太慢', '垃圾', '骗子', '骗人', '生气', '气死', '举报', '坑人', '黑店', '忽悠', '欺骗', '维权', '消协',
  '太差', '差劲', '失望', '不满意', '恶心', '过分', '给个说法', '什么破', '再也不买', '退钱', '烂',
];

export function isComplaint(question: string): boolean {
  const n = normalizeQuestion(question);
  return COMPLAINT_WORDS.some((w) => n.includes(w));
}

/** The pair's stage: its knowledge entry's, else emotion for a complaint, else basic. */
export function stageOf(question: string, answer: string, entries: readonly StagedEntry[]): TrainingStage {
  const match = entries.length ? matchAnswer(answer, entries) : null;
  if (match) return entries.find((e) => e.id === match.entryId)!.stage;
  return isComplaint(question) ? 'emotion' : 'basic';
}
