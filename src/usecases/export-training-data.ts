import { DEFAULT_HOLDING_MESSAGE } from '../domain/channel.js';
import { pairsFromConversation } from '../domain/training/pairs.js';
import { buildTrainingSet, type TrainingReport } from '../domain/training/pipeline.js';
import type { TrainingExample, TrainingStage } from '../domain/training/types.js';
import { QUEUED_ACKNOWLEDGEMENT } from './decide-turn.js';
import type { CoreDeps, CoreSettings } from './deps.js';
import type { Actor } from '../domain/user.js';

export type { TrainingExample } from '../domain/training/types.js';

/** Conversations read per export: far more than a LoRA round needs (the recipe asks for ≥ 200 samples). */
const MAX_CONVERSATIONS = 50_000;

export interface TrainingExportQuery {
  /** Answers (and labels) from this moment on. */
  since: Date;
  /** Only this stage's examples; null for all. */
  stage: TrainingStage | null;
  /** Override the settings' K and held-out share (the command line's --k, --heldout). */
  phrasingsPerAnswer?: number;
  heldoutShare?: number;
}

export interface TrainingExportReport extends TrainingReport {
  generatedAt: string;
  since: string;
  stage: TrainingStage | null;
  settings: { phrasingsPerAnswer: number; heldoutShare: number; customerAddress: string; signOff: string; orderNumberPattern: string };
}

export interface TrainingExport {
  train: TrainingExample[];
  heldout: TrainingExample[];
  report: TrainingExportReport;
}

/** What the export reads; the command line (scripts/training-export.ts) builds just these. */
export type TrainingExportDeps = Pick<CoreDeps, 'trainingData' | 'knowledge' | 'channelRepository' | 'clock' | 'asksAboutOwnRecords'> & { settings: Pick<CoreSettings, 'training'> };

/**
 * Next round's LoRA training data (issue 13 item 1): agents' answers, bot answers agents marked
 * good and their corrections, cleaned (domain/training/pipeline.ts) and split into train and
 * held-out by answer group, with a report of every step.
 */
export async function buildTrainingExport(deps: TrainingExportDeps, query: TrainingExportQuery): Promise<TrainingExport> {
  const settings = deps.settings.training;
  const k = query.phrasingsPerAnswer ?? settings.phrasingsPerAnswer;
  const heldoutShare = query.heldoutShare ?? settings.heldoutShare;
  const [conversations, channels, entries] = await Promise.all([
    deps.trainingData.conversations(query.since, MAX_CONVERSATIONS),
    deps.channelRepository.list(),
    deps.knowledge.listFor(null, { limit: 1_000_000 }),
  ]);
  // What the service says while a chat waits for a person is never an answer, whoever sent it.
  const holdingTexts = [...new Set([DEFAULT_HOLDING_MESSAGE, QUEUED_ACKNOWLEDGEMENT, ...channels.map((c) => c.handoff.holdingMessage).filter(Boolean)])];
  const pairs = conversations.flatMap((c) => pairsFromConversation(c, query.since, holdingTexts));
  const set = buildTrainingSet(pairs, {
    voice: { customerAddress: settings.customerAddress, signOff: settings.signOff },
    k,
    heldoutShare,
    holdingTexts,
    entries: entries.map((e) => ({ id: e.id, output: e.output, stage: e.stage ?? 'basic' })),
    orderNumberPattern: settings.orderNumberPattern,
    asksAboutOwnRecords: deps.asksAboutOwnRecords,
    stage: query.stage,
  });
  return {
    train: set.train,
    heldout: set.heldout,
    report: {
      generatedAt: deps.clock.now().toISOString(),
      since: query.since.toISOString(),
      stage: query.stage,
      settings: { phrasingsPerAnswer: k, heldoutShare, customerAddress: settings.customerAddress, signOff: settings.signOff, orderNumberPattern: settings.orderNumberPattern.source },
      ...set.report,
    },
  };
}

export type TrainingExportPart = 'train' | 'heldout' | 'report';

/** One part of the export for an admin; audited (training.export) with what was asked and what came out. */
export async function exportTrainingData(deps: CoreDeps, actor: Actor, query: TrainingExportQuery, part: TrainingExportPart): Promise<TrainingExport> {
  const result = await buildTrainingExport(deps, query);
  await deps.audit.record({
    actor: actor.id,
    action: 'training.export',
    target: 'training-data',
    details: { part, since: query.since.toISOString(), stage: query.stage, train: result.train.length, heldout: result.heldout.length },
  });
  return result;
}

/** JSON Lines, one example a line, newline-terminated. */
export function toJsonl(examples: readonly TrainingExample[]): string {
  return examples.map((e) => JSON.stringify(e) + '\n').join('');
}
