/**
 * The training-data pipeline (issue 13 item 1), pure: pairs read from conversations in, train and
 * held-out examples and a report of every step out. Order: 去噪 → PII masking → out-of-scope (转人工)
 * → 归一化 → stage → 多样性 → split by answer group → stage filter.
 */
import { maskPii, type PiiKind } from '../pii.js';
import { DENOISE_RULES, denoisePair, type DenoiseRule } from './denoise.js';
import { diversify } from './diversity.js';
import { normalizeAnswerText, normalizeText, type VoiceSettings } from './normalize.js';
import { answerIsAccountSpecific, HANDOFF_ANSWER, questionIsAccountSpecific } from './out-of-scope.js';
import { isHeldOut } from './split.js';
import { stageOf, type StagedEntry } from './stage.js';
import { TRAINING_STAGES, type PairSource, type SourcePair, type TrainingExample, type TrainingStage } from './types.js';

export interface PipelineOptions {
  voice: VoiceSettings;
  /** Phrasings kept per answer group. */
  k: number;
  /** Share of answer groups held out, 0..1. */
  heldoutShare: number;
  /** The channels' handoff texts and the queued acknowledgement: never answers. */
  holdingTexts: readonly string[];
  /** Knowledge entries with their stage, for tagging pairs. */
  entries: readonly StagedEntry[];
  orderNumberPattern?: RegExp;
  /** Questions that need the customer's own records (the knowledge-base responder's asksAboutOwnRecords). */
  asksAboutOwnRecords?: (question: string) => boolean;
  /** Only this stage's examples are written; null for all. */
  stage: TrainingStage | null;
}

export interface TrainingReport {
  read: { total: number } & Record<PairSource, number>;
  denoise: { dropped: Record<DenoiseRule, number>; linesRemoved: number; kept: number };
  masked: Partial<Record<PiiKind, number>>;
  /** Pairs with at least one masked item. */
  maskedPairs: number;
  outOfScope: number;
  normalize: { changed: number };
  diversity: { answerGroups: number; duplicateQuestions: number; nearDuplicateQuestions: number; cappedByK: number; kept: number };
  stages: Record<TrainingStage, number>;
  /** Examples of other stages, left out by the stage filter. */
  otherStages: number;
  split: { train: number; heldout: number; trainGroups: number; heldoutGroups: number };
}

export interface TrainingSet {
  train: TrainingExample[];
  heldout: TrainingExample[];
  report: TrainingReport;
}

interface Prepared {
  question: string;
  output: string;
  /** The (masked, normalized) answer the agent gave: what groups pairs, also for 转人工 examples. */
  groupAnswer: string;
  stage: TrainingStage;
}

function addCounts(into: Partial<Record<PiiKind, number>>, counts: Partial<Record<PiiKind, number>>): void {
  for (const [kind, n] of Object.entries(counts) as [PiiKind, number][]) into[kind] = (into[kind] ?? 0) + n;
}

export function buildTrainingSet(pairs: readonly SourcePair[], options: PipelineOptions): TrainingSet {
  const report: TrainingReport = {
    read: { total: pairs.length, agent_answer: 0, good_bot_answer: 0, correction: 0 },
    denoise: { dropped: Object.fromEntries(DENOISE_RULES.map((r) => [r, 0])) as Record<DenoiseRule, number>, linesRemoved: 0, kept: 0 },
    masked: {},
    maskedPairs: 0,
    outOfScope: 0,
    normalize: { changed: 0 },
    diversity: { answerGroups: 0, duplicateQuestions: 0, nearDuplicateQuestions: 0, cappedByK: 0, kept: 0 },
    stages: Object.fromEntries(TRAINING_STAGES.map((s) => [s, 0])) as Record<TrainingStage, number>,
    otherStages: 0,
    split: { train: 0, heldout: 0, trainGroups: 0, heldoutGroups: 0 },
  };
  const piiOptions = options.orderNumberPattern ? { orderNumberPattern: options.orderNumberPattern } : {};

  const prepared: Prepared[] = [];
  for (const pair of pairs) {
    report.read[pair.source]++;
    const result = denoisePair(pair, options.holdingTexts);
    if ('dropped' in result) {
      report.denoise.dropped[result.dropped]++;
      continue;
    }
    report.denoise.kept++;
    report.denoise.linesRemoved += result.kept.linesRemoved;

    const question = maskPii(result.kept.question, piiOptions);
    const answer = maskPii(result.kept.answer, piiOptions);
    addCounts(report.masked, question.counts);
    addCounts(report.masked, answer.counts);
    if (Object.keys(question.counts).length || Object.keys(answer.counts).length) report.maskedPairs++;

    // The masked question: a phone number or address the customer volunteered is not a reason to hand off (issue 13 item 1).
    const outOfScope = answerIsAccountSpecific(answer.text, answer.counts) || questionIsAccountSpecific(question.text, question.counts, options.asksAboutOwnRecords);
    if (outOfScope) report.outOfScope++;

    const normalizedQuestion = normalizeText(question.text);
    const groupAnswer = normalizeText(answer.text);
    const output = outOfScope ? HANDOFF_ANSWER : normalizeAnswerText(answer.text, options.voice);
    if (normalizedQuestion !== question.text || (!outOfScope && output !== answer.text)) report.normalize.changed++;
    prepared.push({ question: normalizedQuestion, output, groupAnswer, stage: stageOf(normalizedQuestion, groupAnswer, options.entries) });
  }

  const { groups, counts } = diversify(prepared, options.k);
  report.diversity = { ...counts, kept: groups.reduce((n, g) => n + g.items.length, 0) };

  const train: TrainingExample[] = [];
  const heldout: TrainingExample[] = [];
  for (const group of groups) {
    const held = isHeldOut(group.key, options.heldoutShare);
    let written = 0;
    for (const item of group.items) {
      if (options.stage && item.stage !== options.stage) {
        report.otherStages++;
        continue;
      }
      report.stages[item.stage]++;
      (held ? heldout : train).push({ instruction: item.question, input: '', output: item.output, stage: item.stage });
      written++;
    }
    if (written) report.split[held ? 'heldoutGroups' : 'trainGroups']++;
  }
  report.split.train = train.length;
  report.split.heldout = heldout.length;
  return { train, heldout, report };
}
