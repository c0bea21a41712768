import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { KnowledgeRecord } from '../ports/knowledge-repository.js';
import type { KnowledgeSuggestion } from '../ports/knowledge-suggestions.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/** An admin's edited version of the entry accepting creates; each field falls back to the suggestion's. */
export interface SuggestionEdit {
  instruction?: string;
  input?: string;
  output?: string;
}

const notFound = (id: string) => new NotFoundError('SUGGESTION.NOT_FOUND', `suggestion ${id} does not exist`);
const notOpen = (s: KnowledgeSuggestion) => new ConflictError('SUGGESTION.NOT_OPEN', `suggestion ${s.id} was already ${s.status}`);

async function requireOpen(deps: CoreDeps, id: string): Promise<KnowledgeSuggestion> {
  const suggestion = await deps.suggestions.get(id);
  if (!suggestion) throw notFound(id);
  if (suggestion.status !== 'open') throw notOpen(suggestion);
  return suggestion;
}

/**
 * Accepting creates a knowledge entry (issue 12 item 5). A phrasing suggestion: the question with
 * the matched entry's answer, in that entry's scope; a new-entry suggestion: the question with the
 * agent's answer, for the conversation's channel. The search index of every process rebuilds when
 * the repository's version changes (a new row changes it), so the entry answers within ~1 s.
 */
export async function acceptSuggestion(deps: CoreDeps, actor: Actor, id: string, edit: SuggestionEdit = {}): Promise<{ suggestion: KnowledgeSuggestion; entry: KnowledgeRecord }> {
  const suggestion = await requireOpen(deps, id);
  const phrasing = suggestion.entryId !== null && suggestion.entry !== null;
  const entry = {
    channelId: phrasing ? suggestion.entry!.channelId : suggestion.channelId,
    instruction: edit.instruction ?? suggestion.question,
    input: (edit.input ?? '').trim(),
    output: edit.output ?? (phrasing ? suggestion.entry!.output : suggestion.answer),
  };
  const accepted = await deps.suggestions.accept(id, actor.id, entry);
  if (!accepted) throw notOpen((await deps.suggestions.get(id)) ?? { ...suggestion, status: 'accepted' });
  await deps.audit.record({
    actor: actor.id, action: 'knowledge.suggestion.accept', target: `knowledge-suggestion:${id}`,
    details: { entryId: accepted.entry.id, kind: phrasing ? 'phrasing' : 'entry', edited: Object.keys(edit).length > 0 },
  });
  return accepted;
}

export async function rejectSuggestion(deps: CoreDeps, actor: Actor, id: string): Promise<KnowledgeSuggestion> {
  const suggestion = await requireOpen(deps, id);
  const rejected = await deps.suggestions.reject(id, actor.id);
  if (!rejected) throw notOpen((await deps.suggestions.get(id)) ?? suggestion);
  await deps.audit.record({ actor: actor.id, action: 'knowledge.suggestion.reject', target: `knowledge-suggestion:${id}` });
  return rejected;
}
