import type { TrainingStage } from '../domain/training/types.js';
/** One knowledge entry in the training-data format: instruction/input are phrasings, output is the answer. */
export interface KnowledgeEntry {
  id: string;
  channelId: string | null;
  instruction: string;
  input: string;
  output: string;
  /** issue 13 item 1: the LoRA recipe's stage this entry's answer trains (knowledge.stage); 'basic' when unset. */
  stage?: TrainingStage;
}

export interface KnowledgeHit {
  entry: KnowledgeEntry;
  /** Retrieval score normalized to 0..1 (1 = the question is a known phrasing). */
  score: number;
}

export interface KnowledgeSearch {
  /** Best-matching entries for a question, best first. Channel entries and global ones (channelId null) both count. */
  search(channelId: string, question: string, limit: number): Promise<KnowledgeHit[]>;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ResponderInput {
  /** The LoRA adapter to use. */
  modelName: string;
  systemPrompt: string;
  knowledge: KnowledgeHit[];
  /** Recent history, oldest first, not including the new question. */
  history: ChatTurn[];
  /** The customer's new message(s), joined. */
  question: string;
  signal?: AbortSignal;
}

export interface ResponderAnswer {
  text: string;
  /** 0..1, stored on the bot message (DESIGN.md §4.5). */
  confidence: number;
}

/**
 * Produces the bot's answer. Throws ModelUnavailableError when it cannot answer at all
 * (model node down, timeout, open circuit) so the turn hands off with `model_unavailable`.
 */
export interface Responder {
  answer(input: ResponderInput): Promise<ResponderAnswer>;
  /**
   * Whether the model is reachable now, and since when (issue 11: a `model_unavailable` handoff
   * goes back to the bot a while after the model is back). Only this process's view. Responders
   * that cannot be unavailable (the knowledge base) leave it out: always available.
   */
  health?(): ResponderHealth;
}

export interface ResponderHealth {
  available: boolean;
  /** When `available` last changed (or when the responder was created). */
  since: Date;
}
