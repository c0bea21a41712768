/**
 * Offline evaluation of the answering pipeline without a model node (issue 12 item 1): handoff rules →
 * knowledge search → knowledge-base responder → confidence threshold, exactly as a bot turn runs them.
 *
 *   npm run eval                      every set that exists (public, dev, test), figures per set
 *   npm run eval -- --set dev         one set only
 *   npm run eval -- --verbose         also one line per question
 *   npm run eval -- --threshold 0.5   another threshold than the channel default
 *   npm run eval -- --embeddings fake  lexical search fused with a fake embeddings server's
 *                                      bag-of-characters vectors: proves the fusion path, not its quality
 *   npm run eval -- --embeddings URL   … with a real OpenAI-compatible /v1/embeddings (EMBEDDING_MODEL)
 *
 * Exits 1 when the TEST split is below the acceptance targets (the other sets only report).
 *
 *   npm run eval -- --model-base-url URL --model NAME [--data heldout.jsonl] [--compare NAME2] [--report FILE]
 *                                      an adapter on the model node instead (issue 13 item 3): tests/eval/model-eval.ts
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_SYSTEM_PROMPT, DEFAULT_THRESHOLD } from '../../src/domain/channel.js';
import { handoffAfterModel, handoffBeforeModel } from '../../src/domain/handoff-policy.js';
import type { KnowledgeRepository } from '../../src/ports/knowledge-repository.js';
import type { KnowledgeHit, KnowledgeSearch } from '../../src/ports/responder.js';
import { createKnowledgeBaseResponder } from '../../src/model/knowledge-base-responder.js';
import { IndexedKnowledgeSearch } from '../../src/model/indexed-knowledge-search.js';
import { MemoryKnowledgeRepository } from '../support/memory-knowledge-repository.js';
import { MemoryEmbeddingStore } from '../support/memory-embedding-store.js';
import { FakeEmbeddingsServer } from '../fakes/fake-embeddings-server.js';
import { FusedKnowledgeSearch } from '../../src/model/fused-knowledge-search.js';
import { createOpenAiEmbeddingsClient } from '../../src/model/openai-embeddings-client.js';
import { auroc } from './metrics.js';
import { runModelEval, wantsModelEval } from './model-eval.js';
import {
  availableSets,
  DEMO_KB_PATH,
  EVAL_PUBLIC_PATH,
  EVAL_SETS,
  isRightEntry,
  readEvalCases,
  readKnowledgeFile,
  type EvalCase,
  type EvalSetName,
} from './eval-sets.js';

export { DEMO_KB_PATH, EVAL_PUBLIC_PATH, readEvalCases, type EvalCase };

/** Issue 12 acceptance, checked on the test split. */
export const TARGET_ANSWERED_CORRECTLY = 0.75;
export const TARGET_MAX_WRONG = 0.02;
export const TARGET_OUT_OF_SCOPE_HANDED_OFF = 0.92;

/** How many entries the search hands to the responder (as decide-turn asks for). */
const KNOWLEDGE_LIMIT = 5;
const CHANNEL = 'eval';

export type SearchFactory = (repository: KnowledgeRepository) => KnowledgeSearch | Promise<KnowledgeSearch>;

export interface EvalOptions {
  kbPath?: string;
  /** A set file; ignored when `cases` is given. Defaults to the public set. */
  setPath?: string;
  cases?: EvalCase[];
  threshold?: number;
  /** Another KnowledgeSearch than the lexical one (e.g. lexical fused with embeddings). */
  search?: SearchFactory;
}

export interface EvalResult {
  case: EvalCase;
  outcome: 'correct' | 'wrong' | 'handoff';
  /** Why the turn went to a human, when it did. */
  reason: string | null;
  /** Null when a rule handed off before the knowledge search. */
  confidence: number | null;
  reply: string | null;
  /** The searched entries, best first (1-based file lines; 0 for an entry not in the file). */
  topLines: number[];
  /** Whether the best entry is a right answer (false for every handoff case). */
  topRight: boolean;
  /** Whether any of the entries given to the responder is a right answer. */
  top5Right: boolean;
}

export interface EvalSummary {
  results: EvalResult[];
  /** Answered correctly / questions that expect an answer. */
  answeredCorrectly: number;
  /** Answered but wrong, or answered when a handoff was expected / all questions. */
  wrong: number;
  /** Handed off / all questions. */
  handedOff: number;
  /** Handed off / questions that expect a handoff. */
  outOfScopeHandedOff: number;
  /** Best entry right / questions that expect an answer. */
  top1: number;
  /** A right entry among the responder's entries / questions that expect an answer. */
  top5: number;
  /** AUROC of the confidence for "the best entry is right", over the turns that reached the responder. */
  auroc: number;
}

export async function evaluate(opts: EvalOptions = {}): Promise<EvalSummary> {
  const kb = readKnowledgeFile(opts.kbPath ?? DEMO_KB_PATH);
  const repository = new MemoryKnowledgeRepository();
  await repository.insertMany(kb.entries);
  const search = opts.search ? await opts.search(repository) : new IndexedKnowledgeSearch(repository);
  const responder = createKnowledgeBaseResponder();
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const results: EvalResult[] = [];
  for (const c of opts.cases ?? readEvalCases(opts.setPath ?? EVAL_PUBLIC_PATH)) {
    const before = handoffBeforeModel({
      botEnabled: true,
      messages: [{ kind: 'text', text: c.question }],
      answeredQuestions: [],
      channelKeywords: [],
    });
    if (before !== null) {
      results.push({ case: c, outcome: 'handoff', reason: before, confidence: null, reply: null, topLines: [], topRight: false, top5Right: false });
      continue;
    }
    const knowledge: KnowledgeHit[] = await search.search(CHANNEL, c.question, KNOWLEDGE_LIMIT);
    const answer = await responder.answer({ modelName: 'knowledge-base', systemPrompt: DEFAULT_SYSTEM_PROMPT, knowledge, history: [], question: c.question });
    const after = handoffAfterModel(answer.confidence, threshold);
    // The knowledge-base responder answers with the best entry's own answer.
    const topRight = knowledge.length > 0 && isRightEntry(c, knowledge[0].entry, kb) && answer.text === knowledge[0].entry.output.trim();
    results.push({
      case: c,
      outcome: after !== null ? 'handoff' : topRight ? 'correct' : 'wrong',
      reason: after,
      confidence: answer.confidence,
      reply: answer.text,
      topLines: knowledge.map((h) => kb.lineOf.get(JSON.stringify([h.entry.instruction, h.entry.input, h.entry.output])) ?? 0),
      topRight,
      top5Right: knowledge.some((h) => isRightEntry(c, h.entry, kb)),
    });
  }
  return summarize(results);
}

export function summarize(results: EvalResult[]): EvalSummary {
  const share = (n: number, of: number) => (of > 0 ? n / of : 0);
  const answerable = results.filter((r) => r.case.expect === 'answer');
  const outOfScope = results.filter((r) => r.case.expect === 'handoff');
  const scored = results.filter((r) => r.confidence !== null);
  return {
    results,
    answeredCorrectly: share(answerable.filter((r) => r.outcome === 'correct').length, answerable.length),
    wrong: share(results.filter((r) => r.outcome === 'wrong').length, results.length),
    handedOff: share(results.filter((r) => r.outcome === 'handoff').length, results.length),
    outOfScopeHandedOff: share(outOfScope.filter((r) => r.outcome === 'handoff').length, outOfScope.length),
    top1: share(answerable.filter((r) => r.topRight).length, answerable.length),
    top5: share(answerable.filter((r) => r.top5Right).length, answerable.length),
    auroc: auroc(scored.map((r) => ({ score: r.confidence ?? 0, positive: r.topRight }))),
  };
}

export function meetsTargets(summary: EvalSummary): boolean {
  return (
    summary.answeredCorrectly >= TARGET_ANSWERED_CORRECTLY &&
    summary.wrong <= TARGET_MAX_WRONG &&
    summary.outOfScopeHandedOff >= TARGET_OUT_OF_SCOPE_HANDED_OFF
  );
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function count(summary: EvalSummary, test: (r: EvalResult) => boolean): number {
  return summary.results.filter(test).length;
}

export function formatSummary(name: string, s: EvalSummary): string {
  const answerable = count(s, (r) => r.case.expect === 'answer');
  const outOfScope = count(s, (r) => r.case.expect === 'handoff');
  return [
    `${name}: ${s.results.length} questions (${answerable} answerable, ${outOfScope} for a person)`,
    `  answered correctly  ${pct(s.answeredCorrectly)} of answerable (${count(s, (r) => r.outcome === 'correct')}/${answerable}; target ≥ ${pct(TARGET_ANSWERED_CORRECTLY)})`,
    `  wrong answers       ${pct(s.wrong)} of all (${count(s, (r) => r.outcome === 'wrong')}/${s.results.length}; target ≤ ${pct(TARGET_MAX_WRONG)})`,
    `  out-of-scope handed off ${pct(s.outOfScopeHandedOff)} (${count(s, (r) => r.case.expect === 'handoff' && r.outcome === 'handoff')}/${outOfScope}; target ≥ ${pct(TARGET_OUT_OF_SCOPE_HANDED_OFF)})`,
    `  retrieval top-1 ${pct(s.top1)}, top-5 ${pct(s.top5)} of answerable; AUROC of confidence ${s.auroc.toFixed(3)}`,
  ].join('\n');
}

function formatResult(r: EvalResult): string {
  const right = r.case.expect === 'answer' ? r.outcome === 'correct' : r.outcome === 'handoff';
  const mark = right ? 'OK   ' : r.outcome === 'wrong' ? 'WRONG' : 'MISS ';
  const conf = r.confidence === null ? '  -  ' : r.confidence.toFixed(2);
  const want = r.case.expect === 'answer' ? `answer ${(r.case.entries ?? r.case.contains ?? []).join(',')}` : `handoff ${r.case.why ?? ''}`;
  const what = r.outcome === 'handoff' ? `handoff (${r.reason})` : r.reply;
  return `${mark} ${conf} [${want}] top=${r.topLines.join(',')} ${r.case.question} → ${what}`;
}

interface Args {
  sets: EvalSetName[];
  verbose: boolean;
  threshold?: number;
  /** `fake` or an embeddings base URL. */
  embeddings?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sets: availableSets(), verbose: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--verbose' || a === '-v') args.verbose = true;
    else if (a === '--set') {
      const name = argv[++i] as EvalSetName;
      if (!(name in EVAL_SETS)) throw new Error(`--set must be one of ${Object.keys(EVAL_SETS).join(', ')}`);
      args.sets = [name];
    } else if (a === '--threshold') args.threshold = Number(argv[++i]);
    else if (a === '--embeddings') args.embeddings = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

/** `--embeddings fake|URL`: the fused search a service with EMBEDDING_BASE_URL runs (issue 12 item 3). */
async function fusedSearch(target: string): Promise<{ search: SearchFactory; close(): Promise<void> }> {
  const fake = target === 'fake' ? await new FakeEmbeddingsServer().start() : null;
  const client = createOpenAiEmbeddingsClient({
    baseUrl: fake ? fake.url : target,
    model: fake ? 'bag-of-characters' : (process.env.EMBEDDING_MODEL ?? 'bge-m3'),
    apiKey: process.env.EMBEDDING_API_KEY,
    timeoutMs: 10_000,
  });
  return {
    search: (repository) => new FusedKnowledgeSearch(new IndexedKnowledgeSearch(repository), repository, client, new MemoryEmbeddingStore()),
    close: async () => { await fake?.close(); },
  };
}

async function main(): Promise<void> {
  if (wantsModelEval(process.argv.slice(2))) {
    process.exitCode = await runModelEval(process.argv.slice(2));
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const fused = args.embeddings ? await fusedSearch(args.embeddings) : null;
  if (fused) console.log(`search: lexical fused with embeddings from ${args.embeddings}\n`);
  for (const name of args.sets) {
    const summary = await evaluate({ setPath: EVAL_SETS[name], threshold: args.threshold, search: fused?.search });
    if (args.verbose) for (const r of summary.results) console.log(formatResult(r));
    console.log(formatSummary(name, summary));
    console.log('');
    if (name === 'test' && !meetsTargets(summary)) {
      console.error('test split below the acceptance targets');
      process.exitCode = 1;
    }
  }
  await fused?.close();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
