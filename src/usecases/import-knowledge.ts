import { NotFoundError } from '../domain/errors.js';
import { parseSafeJson, safeText } from '../domain/text.js';
import { isTrainingStage, TRAINING_STAGES } from '../domain/training/types.js';
import type { NewKnowledgeEntry } from '../ports/knowledge-repository.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

export interface ImportResult {
  imported: number;
  skipped: number;
  /** 1-based line numbers of the lines that were not imported, with why. */
  errors: { line: number; error: string }[];
}

/** A NUL, raw or escaped, is dropped and the line kept (issue 11: one such line failed the whole import with a 500). */
function parseLine(line: string, channelId: string | null): NewKnowledgeEntry | string {
  let value: unknown;
  try {
    value = parseSafeJson(safeText(line));
  } catch {
    return 'not valid JSON';
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const { instruction, input, output, stage } = value as Record<string, unknown>;
  if (typeof instruction !== 'string' || !instruction.trim()) return '"instruction" must be a non-empty string';
  if (input !== undefined && typeof input !== 'string') return '"input" must be a string';
  if (typeof output !== 'string' || !output.trim()) return '"output" must be a non-empty string';
  // issue 13 item 1: the recipe's stage, optional (basic when absent).
  if (stage !== undefined && !isTrainingStage(stage)) return `"stage" must be one of ${TRAINING_STAGES.join(', ')}`;
  return { channelId, instruction: instruction.trim(), input: (input ?? '').trim(), output: output.trim(), ...(stage === undefined ? {} : { stage }) };
}

/**
 * Imports JSONL in the training-data format ({"instruction","input","output"}, optionally "stage"). Good lines are
 * kept, bad ones reported by number (DESIGN.md §4.2).
 */
export async function importKnowledge(deps: CoreDeps, actor: Actor, jsonl: string, channelId: string | null): Promise<ImportResult> {
  if (channelId && !(await deps.channelRepository.get(channelId))) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${channelId} does not exist`);
  const entries: NewKnowledgeEntry[] = [];
  const errors: ImportResult['errors'] = [];
  // Files saved by Windows editors and spreadsheet exports start with a byte-order mark.
  jsonl.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, index) => {
    if (!line.trim()) return;
    const parsed = parseLine(line, channelId);
    if (typeof parsed === 'string') errors.push({ line: index + 1, error: parsed });
    else entries.push(parsed);
  });
  const imported = await deps.knowledge.insertMany(entries);
  await deps.audit.record({ actor: actor.id, action: 'knowledge.import', target: channelId ? `channel:${channelId}` : 'knowledge', details: { imported, skipped: errors.length } });
  return { imported, skipped: errors.length, errors };
}
