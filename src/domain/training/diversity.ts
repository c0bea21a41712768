/**
 * 多样性 (issue 13 item 1): pairs are grouped by answer (near-duplicate answers together, by the
 * matcher the knowledge suggestions use), and each group keeps up to K distinct phrasings of the
 * question; exact and near-duplicate questions are dropped. The group's key is also what the
 * train / held-out split hashes (split.ts), so one answer never sits on both sides.
 */
import { bigramDice, matchAnswer, normalizeAnswer, questionKey } from '../answer-match.js';

/** Questions at least this similar (Dice of character bigrams) are one phrasing. */
export const NEAR_DUPLICATE_QUESTION_DICE = 0.8;

export interface Groupable {
  question: string;
  /** What the group is keyed on: the answer the agent gave (also for 转人工 examples). */
  groupAnswer: string;
}

export interface AnswerGroup<T> {
  /** The normalized answer of the group's first pair: stable while data is added after it. */
  key: string;
  items: T[];
}

export interface DiversityCounts {
  answerGroups: number;
  duplicateQuestions: number;
  nearDuplicateQuestions: number;
  cappedByK: number;
}

/** Groups by answer (first pair's answer is the group's; later ones join at Dice ≥ 0.8), in input order. */
export function groupByAnswer<T extends Groupable>(items: readonly T[]): AnswerGroup<T>[] {
  const groups: AnswerGroup<T>[] = [];
  const byKey = new Map<string, AnswerGroup<T>>();
  const reps: { id: string; output: string }[] = [];
  for (const item of items) {
    const key = normalizeAnswer(item.groupAnswer);
    let group = byKey.get(key);
    if (!group) {
      const near = matchAnswer(item.groupAnswer, reps);
      group = near ? byKey.get(near.entryId) : undefined;
    }
    if (!group) {
      group = { key, items: [] };
      groups.push(group);
      reps.push({ id: key, output: item.groupAnswer });
    }
    byKey.set(key, group);
    group.items.push(item);
  }
  return groups;
}

/** Up to k distinct phrasings per group, exact and near duplicates dropped; counts what went. */
export function diversify<T extends Groupable>(items: readonly T[], k: number): { groups: AnswerGroup<T>[]; counts: DiversityCounts } {
  const counts: DiversityCounts = { answerGroups: 0, duplicateQuestions: 0, nearDuplicateQuestions: 0, cappedByK: 0 };
  const groups = groupByAnswer(items).map((group) => {
    const kept: T[] = [];
    const keys: string[] = [];
    for (const item of group.items) {
      const q = questionKey(item.question);
      if (keys.includes(q)) {
        counts.duplicateQuestions++;
      } else if (keys.some((other) => bigramDice(q, other) >= NEAR_DUPLICATE_QUESTION_DICE)) {
        counts.nearDuplicateQuestions++;
      } else if (kept.length >= k) {
        counts.cappedByK++;
      } else {
        kept.push(item);
        keys.push(q);
      }
    }
    return { key: group.key, items: kept };
  });
  counts.answerGroups = groups.length;
  return { groups, counts };
}
