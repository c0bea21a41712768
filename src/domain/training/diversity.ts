/**
 * 多样性 (issue 13 item 1): pairs are grouped by answer (near-duplicate answers together, by the
 * matcher the knowledge suggestions use), and each group keeps up to K distinct phrasings of the
 * question; exact and near-duplicate questions are dropped. The group's key is also what the
 * train / held-out split hashes (split.ts), so one answer never sits on both sides.
 */
import { bigramDice, nearAnswers, normalizeAnswer, questionKey } from '../answer-match.js';

/** Questions at least this similar (Dice of character bigrams) are one phrasing. */
export const NEAR_DUPLICATE_QUESTION_DICE = 0.8;

export interface Groupable {
  question: string;
  /** What the group is keyed on: the answer the agent gave (also for 转人工 examples). */
  groupAnswer: string;
}

export interface AnswerGroup<T> {
  /**
   * The smallest normalized answer of the group: what the split hashes. It does not depend on the
   * order the pairs came in, so a later export (another --since, more data) splits a group the
   * same way unless a new member brings a smaller answer.
   */
  key: string;
  items: T[];
}

export interface DiversityCounts {
  answerGroups: number;
  duplicateQuestions: number;
  nearDuplicateQuestions: number;
  cappedByK: number;
}

/** Union-find over node numbers: the groups of a single-linkage clustering. */
class Groups {
  private readonly parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Groups pairs by answer, by single linkage: an answer joins every group holding an answer it
 * nearly is (Dice ≥ 0.8), so a chain A ≈ B ≈ C is one group even where A and C differ more; and
 * pairs asking the same question (questionKey) share a group whatever they were answered. Either
 * way no phrasing and no near copy of a held-out answer can land in training (issue 13 item 1).
 * Groups come in the order of their first pair.
 */
export function groupByAnswer<T extends Groupable>(items: readonly T[]): AnswerGroup<T>[] {
  const groups = new Groups();
  const answerNodes = new Map<string, number>();
  const answers: { id: string; output: string }[] = [];
  const questionNodes = new Map<string, number>();
  const nodeOf: number[] = [];
  for (const item of items) {
    const answer = normalizeAnswer(item.groupAnswer);
    let node = answerNodes.get(answer);
    if (node === undefined) {
      node = groups.add();
      for (const near of nearAnswers(item.groupAnswer, answers)) groups.union(node, Number(near.entryId));
      answerNodes.set(answer, node);
      answers.push({ id: String(node), output: item.groupAnswer });
    }
    const question = questionKey(item.question);
    if (question) {
      const asked = questionNodes.get(question);
      if (asked === undefined) questionNodes.set(question, node);
      else groups.union(node, asked);
    }
    nodeOf.push(node);
  }
  const byRoot = new Map<number, AnswerGroup<T>>();
  items.forEach((item, i) => {
    const root = groups.find(nodeOf[i]);
    const answer = normalizeAnswer(item.groupAnswer);
    const group = byRoot.get(root);
    if (!group) byRoot.set(root, { key: answer, items: [item] });
    else {
      group.items.push(item);
      if (answer < group.key) group.key = answer;
    }
  });
  return [...byRoot.values()];
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
