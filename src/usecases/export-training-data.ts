import type { CoreDeps } from './deps.js';
import type { Actor } from './move-conversation.js';

export interface TrainingExample {
  instruction: string;
  input: string;
  output: string;
}

/**
 * Human-corrected turns in the training-data format ({"instruction","input","output"}, the
 * format of the knowledge base and of the LoRA recipe in infra/finetune/).
 */
export async function exportTrainingData(deps: CoreDeps, actor: Actor, since: Date, limit = 100_000): Promise<TrainingExample[]> {
  const answers = await deps.trainingData.humanAnswers(since, limit);
  await deps.audit.record({ actor: actor.id, action: 'training.export', target: 'training-data', details: { since: since.toISOString(), rows: answers.length } });
  return answers.map((a) => ({ instruction: a.question, input: '', output: a.answer }));
}
