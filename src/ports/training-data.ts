/** A customer question and the answer a person gave to it: next round's LoRA training data. */
export interface HumanAnswer {
  conversationId: string;
  question: string;
  answer: string;
  answeredAt: Date;
}

export interface TrainingDataSource {
  /** Agent answers since a moment, oldest first, each with the customer text it answered. */
  humanAnswers(since: Date, limit: number): Promise<HumanAnswer[]>;
}
