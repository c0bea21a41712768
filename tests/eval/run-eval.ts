/**
 * Offline evaluation of the answering pipeline without a model node: handoff rules → knowledge
 * search → knowledge-base responder → confidence threshold, exactly as a bot turn runs them.
 * `npm run eval` prints every question and the rates, and exits 1 below the targets.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SYSTEM_PROMPT, DEFAULT_THRESHOLD } from '../../src/domain/channel.js';
import { handoffAfterModel, handoffBeforeModel } from '../../src/domain/handoff-policy.js';
import { createKnowledgeBaseResponder } from '../../src/model/knowledge-base-responder.js';
import { IndexedKnowledgeSearch } from '../../src/model/indexed-knowledge-search.js';
import { MemoryKnowledgeRepository, readKnowledgeJsonl } from '../support/memory-knowledge-repository.js';

export const TARGET_ANSWERED_CORRECTLY = 0.85;
export const TARGET_MAX_WRONG = 0.02;

export const DEMO_KB_PATH = fileURLToPath(new URL('../../src/demo/demo-kb.jsonl', import.meta.url));
export const EVAL_PUBLIC_PATH = fileURLToPath(new URL('./eval-public.jsonl', import.meta.url));

export interface EvalCase {
  question: string;
  expect: 'answer' | 'handoff';
  /** For `answer`: strings the reply must all contain to count as correct. */
  contains?: string[];
}

export interface EvalResult {
  case: EvalCase;
  outcome: 'correct' | 'wrong' | 'handoff';
  /** Why the turn went to a human, when it did. */
  reason: string | null;
  confidence: number | null;
  reply: string | null;
}

export interface EvalSummary {
  results: EvalResult[];
  /** Answered correctly / questions that expect an answer. */
  answeredCorrectly: number;
  /** Answered but wrong, or answered when a handoff was expected / all questions. */
  wrong: number;
  /** Handed off / all questions. */
  handedOff: number;
}

const CHANNEL = 'eval';

export function readEvalCases(path: string): EvalCase[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as EvalCase);
}

export async function evaluate(opts: { kbPath?: string; cases?: EvalCase[]; threshold?: number } = {}): Promise<EvalSummary> {
  const repository = new MemoryKnowledgeRepository();
  await repository.insertMany(readKnowledgeJsonl(opts.kbPath ?? DEMO_KB_PATH));
  const search = new IndexedKnowledgeSearch(repository);
  const responder = createKnowledgeBaseResponder();
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const results: EvalResult[] = [];
  for (const c of opts.cases ?? readEvalCases(EVAL_PUBLIC_PATH)) {
    const before = handoffBeforeModel({
      botEnabled: true,
      messages: [{ kind: 'text', text: c.question }],
      answeredQuestions: [],
      channelKeywords: [],
    });
    if (before !== null) {
      results.push({ case: c, outcome: 'handoff', reason: before, confidence: null, reply: null });
      continue;
    }
    const knowledge = await search.search(CHANNEL, c.question, 5);
    const answer = await responder.answer({ modelName: 'knowledge-base', systemPrompt: DEFAULT_SYSTEM_PROMPT, knowledge, history: [], question: c.question });
    const after = handoffAfterModel(answer.confidence, threshold);
    const correct = c.expect === 'answer' && (c.contains ?? []).every((s) => answer.text.includes(s));
    results.push({
      case: c,
      outcome: after !== null ? 'handoff' : correct ? 'correct' : 'wrong',
      reason: after,
      confidence: answer.confidence,
      reply: answer.text,
    });
  }
  const answerable = results.filter((r) => r.case.expect === 'answer').length;
  const count = (o: EvalResult['outcome']) => results.filter((r) => r.outcome === o).length;
  return {
    results,
    answeredCorrectly: answerable > 0 ? count('correct') / answerable : 0,
    wrong: results.length > 0 ? count('wrong') / results.length : 0,
    handedOff: results.length > 0 ? count('handoff') / results.length : 0,
  };
}

export function meetsTargets(summary: EvalSummary): boolean {
  return summary.answeredCorrectly >= TARGET_ANSWERED_CORRECTLY && summary.wrong <= TARGET_MAX_WRONG;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

async function main(): Promise<void> {
  const summary = await evaluate();
  for (const r of summary.results) {
    const mark = r.outcome === 'correct' ? 'OK   ' : r.outcome === 'wrong' ? 'WRONG' : r.case.expect === 'handoff' ? 'OK   ' : 'MISS ';
    const conf = r.confidence === null ? '   - ' : r.confidence.toFixed(2);
    const what = r.outcome === 'handoff' ? `handoff (${r.reason})` : r.reply;
    console.log(`${mark} ${conf}  [${r.case.expect}] ${r.case.question} → ${what}`);
  }
  console.log('');
  console.log(`answered correctly: ${pct(summary.answeredCorrectly)} of answerable (target ≥ ${pct(TARGET_ANSWERED_CORRECTLY)})`);
  console.log(`wrong answers:      ${pct(summary.wrong)} of all (target ≤ ${pct(TARGET_MAX_WRONG)})`);
  console.log(`handed off:         ${pct(summary.handedOff)} of all`);
  if (!meetsTargets(summary)) {
    console.error('eval below target');
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
