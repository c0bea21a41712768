/**
 * The eval's data (issue 12): the demo knowledge base and the question sets over it. Each case says
 * which knowledge entries answer it (1-based line numbers of src/demo/demo-kb.jsonl, the held-out
 * format) or which strings the reply must contain (the older public format), or that a person must
 * take it. The held-out dev and test files are written apart from the code; only dev is tuned on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NewKnowledgeEntry } from '../../src/ports/knowledge-repository.js';
import type { KnowledgeEntry } from '../../src/ports/responder.js';
import { readKnowledgeJsonl } from '../support/memory-knowledge-repository.js';

export const DEMO_KB_PATH = fileURLToPath(new URL('../../src/demo/demo-kb.jsonl', import.meta.url));
export const EVAL_PUBLIC_PATH = fileURLToPath(new URL('./eval-public.jsonl', import.meta.url));
export const EVAL_DEV_PATH = fileURLToPath(new URL('./eval-dev.jsonl', import.meta.url));
export const EVAL_TEST_PATH = fileURLToPath(new URL('./eval-test.jsonl', import.meta.url));

export const EVAL_SETS = { public: EVAL_PUBLIC_PATH, dev: EVAL_DEV_PATH, test: EVAL_TEST_PATH } as const;
export type EvalSetName = keyof typeof EVAL_SETS;

export interface EvalCase {
  question: string;
  expect: 'answer' | 'handoff';
  /** Held-out format: 1-based line numbers of the knowledge file; any of them is a right answer. */
  entries?: number[];
  /** Public format: strings the reply must all contain to count as correct. */
  contains?: string[];
  /** For `handoff`: why a person is needed (order_lookup, complaint, not_covered, human_request, other). */
  why?: string;
  style?: string;
  /** Who wrote the question (held-out sets: 1–5); leave-one-writer-out cross-validation groups by it. */
  writer?: number;
}

export function readEvalCases(path: string): EvalCase[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as EvalCase);
}

/** The sets whose file exists, in the order public, dev, test. */
export function availableSets(): EvalSetName[] {
  return (Object.keys(EVAL_SETS) as EvalSetName[]).filter((name) => existsSync(EVAL_SETS[name]));
}

/** Knowledge entries keyed by their content, so a hit from any search maps back to its file line. */
export function entryKey(e: Pick<KnowledgeEntry, 'instruction' | 'input' | 'output'>): string {
  return JSON.stringify([e.instruction, e.input, e.output]);
}

export interface KnowledgeFile {
  entries: NewKnowledgeEntry[];
  /** entryKey → 1-based line number in the file (blank lines counted, as an editor numbers them). */
  lineOf: Map<string, number>;
}

export function readKnowledgeFile(path: string): KnowledgeFile {
  const entries = readKnowledgeJsonl(path);
  const lineOf = new Map<string, number>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim().length === 0) return;
      const e = JSON.parse(line) as { instruction: string; input?: string; output: string };
      const key = entryKey({ instruction: e.instruction, input: e.input ?? '', output: e.output });
      if (!lineOf.has(key)) lineOf.set(key, i + 1);
    });
  return { entries, lineOf };
}

/** Whether answering this case with this entry is right. */
export function isRightEntry(c: EvalCase, entry: KnowledgeEntry, kb: KnowledgeFile): boolean {
  if (c.expect !== 'answer') return false;
  if (c.entries !== undefined) {
    const line = kb.lineOf.get(entryKey(entry));
    return line !== undefined && c.entries.includes(line);
  }
  return (c.contains ?? []).every((s) => entry.output.includes(s));
}
