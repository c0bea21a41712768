import { NotFoundError } from '../domain/errors.js';
import type { TrainingStage } from '../domain/training/types.js';
import type { KnowledgeRecord } from '../ports/knowledge-repository.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

export interface KnowledgeEntryInput {
  instruction: string;
  input: string;
  output: string;
  /** issue 13 item 1: basic when a new entry has none; kept when an update has none. */
  stage?: TrainingStage;
}

/** Entry ids are bigserial: anything else cannot exist (and must not reach a bigint cast). */
const knownShape = (id: string) => /^\d{1,18}$/.test(id);
const notFound = (id: string) => new NotFoundError('KNOWLEDGE.NOT_FOUND', `entry ${id} does not exist`);

async function requireChannel(deps: CoreDeps, channelId: string | null): Promise<void> {
  if (channelId && !(await deps.channelRepository.get(channelId))) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${channelId} does not exist`);
}

/** One entry, for every channel (channelId null) or one; audited like every admin change. */
export async function createKnowledgeEntry(deps: CoreDeps, actor: Actor, channelId: string | null, entry: KnowledgeEntryInput): Promise<KnowledgeRecord> {
  await requireChannel(deps, channelId);
  const created = await deps.knowledge.create({ channelId, ...entry, input: entry.input.trim() });
  await deps.audit.record({ actor: actor.id, action: 'knowledge.create', target: `knowledge:${created.id}`, details: { channelId } });
  return created;
}

export async function updateKnowledgeEntry(deps: CoreDeps, actor: Actor, id: string, entry: KnowledgeEntryInput): Promise<KnowledgeRecord> {
  const updated = knownShape(id) ? await deps.knowledge.update(id, entry) : null;
  if (!updated) throw notFound(id);
  await deps.audit.record({ actor: actor.id, action: 'knowledge.update', target: `knowledge:${id}` });
  return updated;
}

export async function deleteKnowledgeEntry(deps: CoreDeps, actor: Actor, id: string): Promise<void> {
  if (!knownShape(id) || !(await deps.knowledge.delete(id))) throw notFound(id);
  await deps.audit.record({ actor: actor.id, action: 'knowledge.delete', target: `knowledge:${id}` });
}

/**
 * The training-data format, one entry per line. For a channel, only its own entries (so importing
 * the file into another channel copies exactly them); without one, every entry.
 */
export async function exportKnowledge(deps: CoreDeps, channelId: string | null): Promise<string> {
  await requireChannel(deps, channelId);
  const entries = await deps.knowledge.listFor(channelId, { own: channelId !== null, limit: 1_000_000 });
  // The stage only where it is not the default, so files stay in the plain training format (issue 13).
  return entries.map((e) => JSON.stringify({ instruction: e.instruction, input: e.input, output: e.output, ...(e.stage && e.stage !== 'basic' ? { stage: e.stage } : {}) }) + '\n').join('');
}
