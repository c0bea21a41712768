import { DEFAULT_TARGET_WRONG_RATE, type Channel } from '../domain/channel.js';
import { auroc, calibrationCurve, MIN_LABELS, recommendThreshold, type CurvePoint } from '../domain/calibration.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { replaceModelSettings } from './channel-model.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/** Calibration reads the channel's most recent labels: old ones describe an older knowledge base. */
export const CALIBRATION_WINDOW = 2000;

export interface Calibration {
  labelled: number;
  good: number;
  bad: number;
  auroc: number | null;
  curve: CurvePoint[];
  recommendedThreshold: number | null;
  currentThreshold: number;
  targetWrongRate: number;
  minLabels: number;
  enoughLabels: boolean;
}


function calibrationOf(channel: Channel, labels: { confidence: number; good: boolean }[]): Calibration {
  const curve = calibrationCurve(labels);
  const targetWrongRate = channel.model.targetWrongRate ?? DEFAULT_TARGET_WRONG_RATE;
  const good = labels.filter((l) => l.good).length;
  return {
    labelled: labels.length,
    good,
    bad: labels.length - good,
    auroc: auroc(labels),
    curve,
    recommendedThreshold: recommendThreshold(curve, labels.length, targetWrongRate, MIN_LABELS),
    currentThreshold: channel.model.threshold,
    targetWrongRate,
    minLabels: MIN_LABELS,
    enoughLabels: labels.length >= MIN_LABELS,
  };
}

async function calibrationFor(deps: CoreDeps, channelId: string): Promise<{ channel: Channel; calibration: Calibration }> {
  const channel = await deps.channelRepository.get(channelId);
  if (!channel) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${channelId} does not exist`);
  const labels = await deps.answerLabels.recent(channelId, CALIBRATION_WINDOW);
  return { channel, calibration: calibrationOf(channel, labels.map((l) => ({ confidence: l.confidence, good: l.verdict === 'good' }))) };
}

/** issue 12 item 4: how the channel's confidence separates right from wrong answers, and the threshold that meets its target. */
export async function calibrateChannel(deps: CoreDeps, channelId: string): Promise<Calibration> {
  return (await calibrationFor(deps, channelId)).calibration;
}

/** Sets the channel's threshold to the recommendation; with too few labels (or none qualifying) the configured one stays. */
export async function applyCalibration(deps: CoreDeps, actor: Actor, channelId: string): Promise<Calibration> {
  const { channel, calibration: before } = await calibrationFor(deps, channelId);
  if (before.recommendedThreshold === null) {
    throw new ConflictError('CALIBRATION.TOO_FEW_LABELS', `no threshold to recommend: ${before.labelled} labels (at least ${before.minLabels} needed) or none meets the target`);
  }
  const to = before.recommendedThreshold;
  // Conditional on the model read above: a promote or rollback in between is not undone (issue 13 item 4).
  const updated = await replaceModelSettings(deps, channel, { ...channel.model, threshold: to });
  deps.channels.invalidate(channelId);
  await deps.audit.record({ actor: actor.id, action: 'channel.threshold', target: `channel:${channelId}`, details: { from: channel.model.threshold, to } });
  await deps.events.publish({ type: 'channel.changed', channelId }).catch(() => undefined);
  return { ...before, currentThreshold: updated.model.threshold };
}
