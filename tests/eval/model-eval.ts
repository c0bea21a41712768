/**
 * Evaluates a LoRA adapter on the model node before customers see it (issue 13 item 3). Each question
 * runs the service's own bot turn, src/usecases/decideTurn: the handoff rules, the knowledge search
 * (the lexical index the service builds over the knowledge file), the prompt, the adapter through the
 * OpenAI-compatible responder (logprob confidence) and the confidence threshold. Only the ports it
 * touches are real; the rest throw if used (tests/support/fake-ports.ts), so a turn path that starts
 * to need more fails loudly here instead of measuring something else.
 *
 *   npm run eval -- --model-base-url URL --model NAME [--data FILE] [--knowledge FILE] [--compare NAME2]
 *                   [--report FILE] [--threshold x] [--api-key K] [--concurrency N] [--timeout-ms N] [--verbose]
 *
 * --api-key defaults to MODEL_API_KEY. With --compare, the second adapter's report goes to FILE with
 * "-NAME2" before the extension (see reportPath).
 *
 * A reply is right when it is (nearly) one of the expected answers by the matcher the knowledge
 * suggestions use (src/domain/answer-match.ts); a question that expects a person is right when handed off.
 * Exit codes: 0 done; 1 some questions got no answer from the model node (figures unreliable);
 * 2 bad arguments or data, or the model node unreachable or not serving the adapter at the start.
 */
import { writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { DEFAULT_SYSTEM_PROMPT, DEFAULT_THRESHOLD } from '../../src/domain/channel.js';
import { matchAnswer } from '../../src/domain/answer-match.js';
import { auroc } from '../../src/domain/calibration.js';
import type { HandoffReason } from '../../src/domain/conversation.js';
import { IndexedKnowledgeSearch } from '../../src/model/indexed-knowledge-search.js';
import { createOpenAiCompatibleResponder } from '../../src/model/openai-compatible-responder.js';
import type { KnowledgeSearch, Responder, ResponderAnswer } from '../../src/ports/responder.js';
import { decideTurn } from '../../src/usecases/decide-turn.js';
import { fakeDeps, makeChannel, makeContact, makeConversation, makeMessage } from '../support/fake-ports.js';
import { MemoryKnowledgeRepository } from '../support/memory-knowledge-repository.js';
import { EvalDataError, readModelEvalCases, type ModelEvalCase } from './eval-data.js';
import { DEMO_KB_PATH, EVAL_TEST_PATH, readKnowledgeFile, type KnowledgeFile } from './eval-sets.js';
import { MAX_REPORT_DISAGREEMENTS, modelReportSchema, type ModelReport } from './model-report.js';
import { expectedCalibrationError, thresholdForWrongUnder } from './model-metrics.js';

/** As src/main.ts sets CoreSettings.knowledgeHits: the entries a live turn's search hands to the prompt. */
const SERVICE_KNOWLEDGE_HITS = 3;
const CHANNEL_ID = 'eval';
/** Disagreements printed per adapter (the report keeps up to MAX_REPORT_DISAGREEMENTS). */
const PRINTED_DISAGREEMENTS = 10;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_MS = 30_000;
/** A question whose model call failed is asked again this many times before it counts as a model error. */
const RETRIES = 2;
/**
 * The eval never lets the circuit open: one failed question must not fail the next ones fast. A
 * volume no run reaches keeps opossum's breaker closed.
 */
const NEVER_OPEN = { errorThresholdPercentage: 100, resetTimeoutMs: 1_000, volumeThreshold: Number.MAX_SAFE_INTEGER };

export interface ModelTurn {
  case: ModelEvalCase;
  outcome: 'correct' | 'wrong' | 'handoff';
  /** Why the turn went to a person, when it did. */
  reason: HandoffReason | null;
  /** The adapter's confidence; null when a rule handed off before the model, or the model failed. */
  confidence: number | null;
  /** The adapter's reply, also when it was too unsure to be sent. */
  reply: string | null;
  /** Whether the reply would have been right to send (false for every question that expects a person). */
  replyRight: boolean;
  /** Why the model node gave no answer (after retries), when it did not. */
  modelError: string | null;
}

export interface Disagreement {
  question: string;
  /** An expected answer, or "handoff". */
  expected: string;
  got: string;
  confidence: number;
}

export interface ModelEvalSummary {
  model: string;
  baseModel: string | null;
  threshold: number;
  turns: ModelTurn[];
  counts: { total: number; answerable: number; outOfScope: number };
  rates: { answeredCorrectly: number; wrong: number; handedOff: number; outOfScopeHandedOff: number };
  auroc: number | null;
  ece: number | null;
  thresholdForWrongUnder1pct: number | null;
  modelErrors: number;
  /** Answered but judged wrong, most confident first: what to read before promoting. */
  disagreements: Disagreement[];
}

export interface ModelEvalOptions {
  /** e.g. http://gpu-node:8000/v1 */
  baseUrl: string;
  model: string;
  baseModel?: string | null;
  apiKey?: string;
  cases: ModelEvalCase[];
  knowledge: KnowledgeFile;
  threshold?: number;
  concurrency?: number;
  timeoutMs?: number;
}

/** The knowledge file as the service's search sees it: one repository, the lexical index over it. */
export async function knowledgeSearch(kb: KnowledgeFile): Promise<KnowledgeSearch> {
  const repository = new MemoryKnowledgeRepository();
  await repository.insertMany(kb.entries);
  return new IndexedKnowledgeSearch(repository);
}

/** Runs every question through decideTurn with the adapter; `search` may be shared between adapters. */
export async function evaluateModel(opts: ModelEvalOptions, search?: KnowledgeSearch): Promise<ModelEvalSummary> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const responder = createOpenAiCompatibleResponder({ baseUrl: opts.baseUrl, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, breaker: NEVER_OPEN });
  const searchOf = search ?? (await knowledgeSearch(opts.knowledge));
  const channel = makeChannel({ id: CHANNEL_ID, model: { name: opts.model, threshold, systemPrompt: DEFAULT_SYSTEM_PROMPT } });
  const turns: ModelTurn[] = new Array(opts.cases.length);
  let next = 0;
  const worker = async () => {
    while (next < opts.cases.length) {
      const i = next++;
      turns[i] = await evaluateTurn(opts.cases[i], responder, searchOf, channel);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
  } finally {
    responder.close();
  }
  return summarizeModel(opts.model, opts.baseModel ?? null, threshold, turns);
}

/** The responder as decideTurn sees it, keeping what the adapter said: a handoff outcome drops the text. */
function recording(responder: Responder): { responder: Responder; answer: ResponderAnswer | null; error: string | null } {
  const seen: { responder: Responder; answer: ResponderAnswer | null; error: string | null } = {
    answer: null,
    error: null,
    responder: {
      async answer(input) {
        try {
          seen.answer = await responder.answer(input);
          return seen.answer;
        } catch (err) {
          seen.error = (err as Error).message;
          throw err;
        }
      },
    },
  };
  return seen;
}

async function evaluateTurn(c: ModelEvalCase, responder: Responder, search: KnowledgeSearch, channel: ReturnType<typeof makeChannel>): Promise<ModelTurn> {
  for (let attempt = 0; ; attempt++) {
    const seen = recording(responder);
    const deps = fakeDeps({ search, responder: seen.responder, settings: { knowledgeHits: SERVICE_KNOWLEDGE_HITS } });
    const ctx = {
      conversation: makeConversation({ channelId: channel.id }),
      contact: makeContact({ channelId: channel.id }),
      pending: [makeMessage('customer', c.question)],
      history: [],
    };
    const outcome = await decideTurn(deps, channel, ctx);
    if (outcome.type === 'handoff' && outcome.reason === 'model_unavailable' && attempt < RETRIES) continue;
    const reply = seen.answer?.text ?? null;
    const replyRight = reply !== null && c.expect === 'answer' && matchAnswer(reply, c.answers.map((output, i) => ({ id: String(i), output }))) !== null;
    if (outcome.type === 'answer') {
      return { case: c, outcome: replyRight ? 'correct' : 'wrong', reason: null, confidence: outcome.confidence, reply: outcome.text, replyRight, modelError: null };
    }
    if (outcome.type === 'handoff') {
      return {
        case: c,
        outcome: 'handoff',
        reason: outcome.reason,
        confidence: seen.answer?.confidence ?? null,
        reply,
        replyRight,
        modelError: outcome.reason === 'model_unavailable' ? (seen.error ?? 'model unavailable') : null,
      };
    }
    throw new Error(`unexpected turn outcome ${outcome.type} for "${c.question}"`);
  }
}

export function summarizeModel(model: string, baseModel: string | null, threshold: number, turns: ModelTurn[]): ModelEvalSummary {
  const share = (n: number, of: number) => (of > 0 ? n / of : 0);
  const answerable = turns.filter((t) => t.case.expect === 'answer');
  const outOfScope = turns.filter((t) => t.case.expect === 'handoff');
  const labels = turns.filter((t) => t.confidence !== null).map((t) => ({ confidence: t.confidence as number, good: t.replyRight }));
  const disagreements = turns
    .filter((t) => t.outcome === 'wrong')
    .sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0))
    .map((t) => ({ question: t.case.question, expected: t.case.expect === 'handoff' ? 'handoff' : t.case.answers[0], got: t.reply ?? '', confidence: t.confidence ?? 0 }));
  return {
    model,
    baseModel,
    threshold,
    turns,
    counts: { total: turns.length, answerable: answerable.length, outOfScope: outOfScope.length },
    rates: {
      answeredCorrectly: share(answerable.filter((t) => t.outcome === 'correct').length, answerable.length),
      wrong: share(turns.filter((t) => t.outcome === 'wrong').length, turns.length),
      handedOff: share(turns.filter((t) => t.outcome === 'handoff').length, turns.length),
      outOfScopeHandedOff: share(outOfScope.filter((t) => t.outcome === 'handoff').length, outOfScope.length),
    },
    auroc: auroc(labels),
    ece: expectedCalibrationError(labels),
    thresholdForWrongUnder1pct: thresholdForWrongUnder(labels, turns.length),
    modelErrors: turns.filter((t) => t.modelError !== null).length,
    disagreements,
  };
}

/** The JSON report of one adapter (tests/eval/model-report.ts), checked against the contract before it is written. */
export function toReport(s: ModelEvalSummary, data: string, createdAt = new Date()): ModelReport {
  return modelReportSchema.parse({
    version: 1,
    model: s.model,
    baseModel: s.baseModel,
    data,
    createdAt: createdAt.toISOString(),
    threshold: s.threshold,
    counts: s.counts,
    rates: s.rates,
    auroc: s.auroc,
    ece: s.ece,
    thresholdForWrongUnder1pct: s.thresholdForWrongUnder1pct,
    // Not in the contract's required fields; kept by the service as an extra key.
    modelErrors: s.modelErrors,
    disagreements: s.disagreements.slice(0, MAX_REPORT_DISAGREEMENTS).map((d) => ({ ...d, question: clip(d.question), expected: clip(d.expected), got: clip(d.got) })),
  });
}

/** The service keeps up to 4,000 characters of each disagreement text (src/http/model-report-schema.ts). */
const MAX_REPORT_TEXT = 4_000;
const clip = (s: string) => ([...s].length > MAX_REPORT_TEXT ? `${[...s].slice(0, MAX_REPORT_TEXT - 1).join('')}…` : s);

/**
 * Where the report of the i-th adapter goes: FILE for the first; with --compare, FILE with
 * "-NAME2" before the extension (report.json → report-support-v2.json), one report object per file
 * as the service's upload takes them.
 */
export function reportPath(file: string, model: string, index: number): string {
  if (index === 0) return file;
  const ext = extname(file);
  const safe = model.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${file.slice(0, file.length - ext.length)}-${safe}${ext}`;
}

// ---- printing ----

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const fixed = (x: number | null, digits = 3) => (x === null ? '-' : x.toFixed(digits));

function tableRows(s: ModelEvalSummary): [string, string][] {
  const n = (test: (t: ModelTurn) => boolean) => s.turns.filter(test).length;
  return [
    ['answered correctly', `${pct(s.rates.answeredCorrectly)} (${n((t) => t.outcome === 'correct')}/${s.counts.answerable})`],
    ['wrong answers (of all)', `${pct(s.rates.wrong)} (${n((t) => t.outcome === 'wrong')}/${s.counts.total})`],
    ['handed off (of all)', `${pct(s.rates.handedOff)} (${n((t) => t.outcome === 'handoff')}/${s.counts.total})`],
    ['out-of-scope handed off', `${pct(s.rates.outOfScopeHandedOff)} (${n((t) => t.case.expect === 'handoff' && t.outcome === 'handoff')}/${s.counts.outOfScope})`],
    ['AUROC of confidence', fixed(s.auroc)],
    ['calibration error (ECE)', fixed(s.ece)],
    ['threshold for wrong ≤ 1 %', fixed(s.thresholdForWrongUnder1pct, 2)],
    ['model errors', String(s.modelErrors)],
  ];
}

/** One table, one column per adapter, so two adapters on the same data read side by side. */
export function formatComparison(data: string, summaries: readonly ModelEvalSummary[]): string {
  const first = summaries[0];
  const rows = summaries.map(tableRows);
  const labelWidth = Math.max(...rows[0].map(([label]) => label.length)) + 2;
  const widths = summaries.map((s, i) => Math.max(s.model.length, (s.baseModel ?? '-').length, ...rows[i].map(([, v]) => v.length)) + 2);
  const line = (label: string, values: string[]) => `  ${label.padEnd(labelWidth)}${values.map((v, i) => v.padEnd(widths[i])).join('')}`.trimEnd();
  return [
    `${data}: ${first.counts.total} questions (${first.counts.answerable} answerable, ${first.counts.outOfScope} for a person), threshold ${first.threshold.toFixed(2)}`,
    line('adapter', summaries.map((s) => s.model)),
    line('base model', summaries.map((s) => s.baseModel ?? '-')),
    ...rows[0].map(([label], r) => line(label, rows.map((cells) => cells[r][1]))),
  ].join('\n');
}

export function formatDisagreements(s: ModelEvalSummary, max = PRINTED_DISAGREEMENTS): string {
  if (s.disagreements.length === 0) return `${s.model}: no wrong answers`;
  const shown = s.disagreements.slice(0, max);
  return [
    `${s.model}: ${s.disagreements.length} wrong answers, most confident first${s.disagreements.length > max ? ` (first ${max})` : ''}`,
    ...shown.map((d) => `  ${d.confidence.toFixed(2)}  ${oneLine(d.question)}\n        got:      ${oneLine(d.got)}\n        expected: ${oneLine(d.expected)}`),
  ].join('\n');
}

function formatTurn(t: ModelTurn): string {
  const right = t.case.expect === 'answer' ? t.outcome === 'correct' : t.outcome === 'handoff';
  const mark = right ? 'OK   ' : t.outcome === 'wrong' ? 'WRONG' : 'MISS ';
  const what = t.outcome === 'handoff' ? `handoff (${t.reason}${t.modelError ? `: ${t.modelError}` : ''})` : oneLine(t.reply ?? '');
  return `${mark} ${t.confidence === null ? '  -  ' : t.confidence.toFixed(2)} [${t.case.expect}] ${oneLine(t.case.question)} → ${what}`;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

// ---- command line ----

export class UsageError extends Error {}

/** The model node could not be used at the start: exit 2 before any question is asked. */
export class ModelNodeError extends Error {}

export interface ModelEvalArgs {
  baseUrl: string;
  models: string[];
  data?: string;
  knowledge: string;
  report?: string;
  threshold?: number;
  apiKey?: string;
  concurrency: number;
  timeoutMs: number;
  verbose: boolean;
}

/** Whether the command line asks for the model path (any model flag). */
export function wantsModelEval(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--model-base-url' || a === '--model' || a === '--compare');
}

export function parseModelArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): ModelEvalArgs {
  const args: Partial<ModelEvalArgs> & { compare?: string; model?: string } = { knowledge: DEMO_KB_PATH, concurrency: DEFAULT_CONCURRENCY, timeoutMs: DEFAULT_TIMEOUT_MS, verbose: false, apiKey: env.MODEL_API_KEY };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const number = (raw: string, flag: string, ok: (n: number) => boolean): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`${flag}: ${raw} is not allowed`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--model-base-url') args.baseUrl = value(++i, a);
    else if (a === '--model') args.model = value(++i, a);
    else if (a === '--compare') args.compare = value(++i, a);
    else if (a === '--data') args.data = value(++i, a);
    else if (a === '--knowledge') args.knowledge = value(++i, a);
    else if (a === '--report') args.report = value(++i, a);
    else if (a === '--api-key') args.apiKey = value(++i, a);
    else if (a === '--threshold') args.threshold = number(value(++i, a), a, (n) => n >= 0 && n <= 1);
    else if (a === '--concurrency') args.concurrency = number(value(++i, a), a, (n) => Number.isInteger(n) && n >= 1 && n <= 64);
    else if (a === '--timeout-ms') args.timeoutMs = number(value(++i, a), a, (n) => Number.isInteger(n) && n >= 100);
    else if (a === '--verbose' || a === '-v') args.verbose = true;
    else throw new UsageError(`unknown argument ${a} (model evaluation)`);
  }
  if (!args.baseUrl) throw new UsageError('--model-base-url URL is required to evaluate an adapter');
  try {
    new URL(args.baseUrl);
  } catch {
    throw new UsageError(`--model-base-url: ${args.baseUrl} is not a URL`);
  }
  if (!args.model) throw new UsageError('--model NAME is required to evaluate an adapter');
  if (args.compare === args.model) throw new UsageError('--compare names the same adapter as --model');
  const { compare, model, ...rest } = args;
  return { ...(rest as Omit<ModelEvalArgs, 'models'>), models: compare ? [model, compare] : [model] };
}

interface ServedModel {
  id: string;
  parent: string | null;
}

/** GET /v1/models: the node answers, and with what (vLLM lists each LoRA module with its `parent`). */
export async function listServedModels(baseUrl: string, apiKey: string | undefined, timeoutMs: number): Promise<ServedModel[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  let res: Response;
  try {
    res = await fetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ModelNodeError(`model node unreachable at ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) throw new ModelNodeError(`model node answered HTTP ${res.status} to GET ${url}`);
  const body = (await res.json().catch(() => null)) as { data?: { id?: unknown; parent?: unknown }[] } | null;
  if (!body || !Array.isArray(body.data)) throw new ModelNodeError(`GET ${url} did not return a model list`);
  return body.data
    .filter((m) => typeof m.id === 'string')
    .map((m) => ({ id: m.id as string, parent: typeof m.parent === 'string' ? m.parent : null }));
}

/** Runs the command; resolves with the exit code. Output goes through `out` (stdout) and `err` (stderr). */
export async function runModelEval(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void; env?: Record<string, string | undefined> } = { out: console.log, err: console.error, env: process.env },
): Promise<number> {
  let args: ModelEvalArgs;
  let cases: ModelEvalCase[];
  let kb: KnowledgeFile;
  try {
    args = parseModelArgs(argv, io.env ?? {});
    try {
      kb = readKnowledgeFile(args.knowledge);
    } catch (err) {
      throw new EvalDataError(`cannot read --knowledge ${args.knowledge}: ${(err as Error).message}`);
    }
    cases = readModelEvalCases(args.data ?? EVAL_TEST_PATH, kb);
  } catch (err) {
    if (err instanceof UsageError || err instanceof EvalDataError) {
      io.err(`eval: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const dataName = args.data ? basename(args.data) : 'test';

  let served: ServedModel[];
  try {
    served = await listServedModels(args.baseUrl, args.apiKey, Math.min(args.timeoutMs, 10_000));
    const missing = args.models.filter((m) => !served.some((s) => s.id === m));
    if (missing.length > 0) throw new ModelNodeError(`the model node does not serve ${missing.join(', ')} (it lists: ${served.map((s) => s.id).join(', ') || 'nothing'})`);
  } catch (err) {
    if (!(err instanceof ModelNodeError)) throw err;
    io.err(`eval: ${err.message}`);
    return 2;
  }

  const search = await knowledgeSearch(kb);
  const summaries: ModelEvalSummary[] = [];
  for (const model of args.models) {
    const summary = await evaluateModel(
      { baseUrl: args.baseUrl, model, baseModel: served.find((s) => s.id === model)?.parent ?? null, apiKey: args.apiKey, cases, knowledge: kb, threshold: args.threshold, concurrency: args.concurrency, timeoutMs: args.timeoutMs },
      search,
    );
    summaries.push(summary);
    if (args.verbose) {
      io.out(`${model}:`);
      for (const t of summary.turns) io.out(`  ${formatTurn(t)}`);
      io.out('');
    }
  }

  io.out(formatComparison(dataName, summaries));
  for (const s of summaries) io.out(`\n${formatDisagreements(s)}`);
  if (args.report) {
    const createdAt = new Date();
    summaries.forEach((s, i) => {
      const path = reportPath(args.report as string, s.model, i);
      writeFileSync(path, `${JSON.stringify(toReport(s, dataName, createdAt), null, 2)}\n`);
      io.out(`\nreport for ${s.model}: ${path}`);
    });
  }
  const failed = summaries.filter((s) => s.modelErrors > 0);
  if (failed.length > 0) {
    io.err(`eval: the model node gave no answer to ${failed.map((s) => `${s.modelErrors} questions of ${s.model}`).join(' and ')}; those count as handed off and the figures understate the adapter`);
    return 1;
  }
  return 0;
}
