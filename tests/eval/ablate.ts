/**
 * What each step of the text analysis gains on the dev split (issue 12 item 2): retrieval top-1 /
 * top-5 with every step, then with each one switched off; the confidence model is refitted for each
 * variant and judged by leave-one-writer-out cross-validation, so a step is not penalised for a model fitted
 * without it. Never reads the test split.
 *
 *   node --import tsx tests/eval/ablate.ts
 */
import { DEFAULT_THRESHOLD } from '../../src/domain/channel.js';
import { DEFAULT_ANALYSIS, type AnalysisOptions } from '../../src/model/text-analysis.js';
import { collectRows } from './collect.js';
import { crossValidate } from './cross-validate.js';
import { evaluate } from './run-eval.js';
import { EVAL_DEV_PATH, readEvalCases } from './eval-sets.js';
import { DEFAULT_L2, DEFAULT_NEGATIVE_WEIGHT } from './fit-confidence.js';
import { IndexedKnowledgeSearch } from '../../src/model/indexed-knowledge-search.js';

const OFF: AnalysisOptions = { simplify: false, numbers: false, lexicon: false, words: false, shopWords: false, pinyin: false };

const VARIANTS: [string, Partial<AnalysisOptions>][] = [
  ['all steps', DEFAULT_ANALYSIS],
  ['without traditional→simplified', { ...DEFAULT_ANALYSIS, simplify: false }],
  ['without numbers', { ...DEFAULT_ANALYSIS, numbers: false }],
  ['without shop lexicon', { ...DEFAULT_ANALYSIS, lexicon: false }],
  ['without jieba words', { ...DEFAULT_ANALYSIS, words: false }],
  ['without the knowledge base words in jieba', { ...DEFAULT_ANALYSIS, shopWords: false }],
  ['without pinyin', { ...DEFAULT_ANALYSIS, pinyin: false }],
  ['n-grams only (none of the steps)', OFF],
];

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

async function main(): Promise<void> {
  const cases = readEvalCases(EVAL_DEV_PATH);
  for (const [name, analysis] of VARIANTS) {
    const summary = await evaluate({ cases, search: (repo) => new IndexedKnowledgeSearch(repo, { index: { analysis } }) });
    const folds = crossValidate(collectRows(cases, { analysis }), 'writer', DEFAULT_L2, DEFAULT_NEGATIVE_WEIGHT, DEFAULT_THRESHOLD);
    const mean = (pick: (f: (typeof folds)[number]) => number) => folds.reduce((s, f) => s + pick(f), 0) / folds.length;
    console.log(
      `${name.padEnd(34)} top-1 ${pct(summary.top1)}  top-5 ${pct(summary.top5)}  | leave-one-writer-out: answered correctly ${pct(mean((f) => f.answeredCorrectly))}, wrong ${pct(mean((f) => f.wrong))}, AUROC ${mean((f) => f.auroc).toFixed(3)}`,
    );
  }
}

void main();
