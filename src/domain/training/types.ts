/** Shapes shared by the training-data pipeline's steps (issue 13 item 1). */

/** The recipe's 分阶段: basic Q&A, then promotions, then complaint handling. */
export const TRAINING_STAGES = ['basic', 'promotion', 'emotion'] as const;
export type TrainingStage = (typeof TRAINING_STAGES)[number];

export function isTrainingStage(value: unknown): value is TrainingStage {
  return typeof value === 'string' && (TRAINING_STAGES as readonly string[]).includes(value);
}

/** Where a pair came from: an agent's reply, a bot answer an agent marked good, an agent's correction of a bad one. */
export type PairSource = 'agent_answer' | 'good_bot_answer' | 'correction';

/** One customer message of the turn a pair answers; media have no text. */
export interface TurnPart {
  kind: string;
  text: string | null;
}

/** A question and the answer given to it, as read from the conversations. */
export interface SourcePair {
  conversationId: string;
  channelId: string;
  source: PairSource;
  /** The customer's messages since the previous answer, oldest first. */
  question: TurnPart[];
  /** The answer's kind (an agent may send an image) and text. */
  answerKind: string;
  answer: string | null;
  answeredAt: Date;
}

/** One line of train.jsonl / heldout.jsonl: the first three fields are what infra/finetune/train_lora.py reads. */
export interface TrainingExample {
  instruction: string;
  input: string;
  output: string;
  stage: TrainingStage;
}
