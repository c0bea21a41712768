/**
 * The data an adapter is evaluated on (issue 13 item 3): a JSONL file in either of two formats,
 * told apart line by line.
 *
 *   training export  {"instruction","input","output","stage"?}  (GET /api/export/training, heldout.jsonl)
 *                    question = instruction (+ input); an output that promises a transfer to a person
 *                    (转接人工 / 转人工: the export's out-of-scope examples) means "expect a handoff"
 *   eval set         {"question","expect","entries"|"contains"}  (tests/eval/eval-*.jsonl)
 *                    the expected answers are those knowledge entries' outputs
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { KnowledgeEntry } from '../../src/ports/responder.js';
import { isRightEntry, type EvalCase, type KnowledgeFile } from './eval-sets.js';

export interface ModelEvalCase {
  question: string;
  expect: 'answer' | 'handoff';
  /** Right answers (any of them); empty for a handoff. */
  answers: string[];
  /** 1-based line of the data file, for messages. */
  line: number;
}

/**
 * How the training export words its 转人工 examples (issue 13 item 1: questions agents answered with
 * account-specific facts become "I will transfer you" answers). Substrings, as the export may add 亲~.
 */
const HANDOFF_ANSWER = /转接人工|转人工/u;

export function isHandoffAnswer(output: string): boolean {
  return HANDOFF_ANSWER.test(output);
}

const trainingLine = z.object({
  instruction: z.string(),
  input: z.string().optional().default(''),
  output: z.string().min(1),
  stage: z.string().optional(),
});

const evalSetLine = z.object({
  question: z.string().min(1),
  expect: z.enum(['answer', 'handoff']),
  entries: z.array(z.number().int().positive()).optional(),
  contains: z.array(z.string()).optional(),
});

export class EvalDataError extends Error {}

/** Every line of `path` as a case; throws EvalDataError naming the first bad line. */
export function readModelEvalCases(path: string, kb: KnowledgeFile): ModelEvalCase[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EvalDataError(`cannot read --data ${path}: ${(err as Error).message}`);
  }
  const cases: ModelEvalCase[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim().length === 0) return;
    const line = i + 1;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new EvalDataError(`${path}:${line}: not JSON`);
    }
    cases.push(toCase(json, line, path, kb));
  });
  if (cases.length === 0) throw new EvalDataError(`${path}: no questions`);
  return cases;
}

function toCase(json: unknown, line: number, path: string, kb: KnowledgeFile): ModelEvalCase {
  const asEvalSet = evalSetLine.safeParse(json);
  if (asEvalSet.success) return fromEvalSet(asEvalSet.data, line, path, kb);
  const asTraining = trainingLine.safeParse(json);
  if (asTraining.success) {
    const t = asTraining.data;
    const question = [t.instruction, t.input].map((s) => s.trim()).filter((s) => s.length > 0).join('\n');
    if (!question) throw new EvalDataError(`${path}:${line}: empty instruction and input`);
    const handoff = isHandoffAnswer(t.output);
    return { question, expect: handoff ? 'handoff' : 'answer', answers: handoff ? [] : [t.output.trim()], line };
  }
  throw new EvalDataError(`${path}:${line}: neither {"instruction","input","output"} nor {"question","expect","entries"}`);
}

function fromEvalSet(c: EvalCase, line: number, path: string, kb: KnowledgeFile): ModelEvalCase {
  if (c.expect === 'handoff') return { question: c.question, expect: 'handoff', answers: [], line };
  if (c.entries === undefined && c.contains === undefined) throw new EvalDataError(`${path}:${line}: "expect": "answer" needs "entries" or "contains"`);
  // The same test the knowledge-base eval makes (entries by file line, or strings the answer contains).
  const answers = kb.entries
    .filter((e) => isRightEntry(c, { id: '', ...e } satisfies KnowledgeEntry, kb))
    .map((e) => e.output.trim());
  if (answers.length === 0) throw new EvalDataError(`${path}:${line}: no entry of the knowledge file answers it (wrong --knowledge?)`);
  return { question: c.question, expect: 'answer', answers: [...new Set(answers)], line };
}
