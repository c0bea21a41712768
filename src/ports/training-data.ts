import type { TrainingConversation } from '../domain/training/pairs.js';

/** Where next round's LoRA training data comes from: conversations agents answered or labelled (issue 13 item 1). */
export interface TrainingDataSource {
  /**
   * Conversations with an agent message or a bot-answer label (answer_labels) from `since` on,
   * each with all its messages, oldest first; at most `limit` conversations (the latest), oldest first.
   */
  conversations(since: Date, limit: number): Promise<TrainingConversation[]>;
}
