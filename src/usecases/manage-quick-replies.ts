import type { Actor } from '../domain/user.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { QuickReply } from '../ports/quick-replies.js';
import type { CoreDeps } from './deps.js';

/**
 * issue 14 item 3: quick replies (快捷回复). Everyone sees the shared ones and their own; admins
 * manage the shared ones, each agent their own personal ones. Someone else's personal reply is
 * answered as missing (404), not as forbidden: they cannot see it, so it does not exist for them.
 * Every change is audited with the title. Nothing is announced: the console fetches the list each
 * time the `/` menu or the page opens, and personal titles must not reach other agents' streams.
 */

export interface QuickReplyView extends QuickReply {
  shared: boolean;
  /** A personal reply of the caller. */
  mine: boolean;
  /** Whether the caller may change or delete it. */
  editable: boolean;
}

export interface QuickReplyInput {
  title: string;
  text: string;
  shared?: boolean;
}

const canEdit = (actor: Actor, reply: QuickReply) => (reply.ownerId === null ? actor.role === 'admin' : reply.ownerId === actor.id);

export const quickReplyView = (actor: Actor, reply: QuickReply): QuickReplyView => ({
  ...reply,
  shared: reply.ownerId === null,
  mine: reply.ownerId !== null && reply.ownerId === actor.id,
  editable: canEdit(actor, reply),
});

const duplicate = (title: string) => new ConflictError('QUICK_REPLY.DUPLICATE', `a quick reply titled "${title}" already exists`);
const notFound = (id: string) => new NotFoundError('QUICK_REPLY.NOT_FOUND', `quick reply ${id} does not exist`);

export async function listQuickReplies(deps: CoreDeps, actor: Actor): Promise<QuickReplyView[]> {
  return (await deps.quickReplies.listVisibleTo(actor.id)).map((r) => quickReplyView(actor, r));
}

/** A reply the caller may change: someone else's personal one is 404, a shared one for an agent 403. */
async function editableReply(deps: CoreDeps, actor: Actor, id: string): Promise<QuickReply> {
  const reply = await deps.quickReplies.get(id);
  if (!reply || (reply.ownerId !== null && reply.ownerId !== actor.id)) throw notFound(id);
  if (!canEdit(actor, reply)) throw new ForbiddenError('only admins change shared quick replies', 'QUICK_REPLY.FORBIDDEN');
  return reply;
}

export async function createQuickReply(deps: CoreDeps, actor: Actor, input: QuickReplyInput): Promise<QuickReplyView> {
  const shared = input.shared ?? false;
  if (shared && actor.role !== 'admin') throw new ForbiddenError('only admins add shared quick replies', 'QUICK_REPLY.FORBIDDEN');
  const created = await deps.quickReplies.create({ ownerId: shared ? null : actor.id, title: input.title, text: input.text, createdBy: actor.id });
  if (!created) throw duplicate(input.title);
  await deps.audit.record({ actor: actor.id, action: 'quick_reply.create', target: `quick_reply:${created.id}`, details: { title: created.title, shared } });
  return quickReplyView(actor, created);
}

export async function updateQuickReply(deps: CoreDeps, actor: Actor, id: string, patch: { title?: string; text?: string }): Promise<QuickReplyView> {
  const current = await editableReply(deps, actor, id);
  const updated = await deps.quickReplies.update(id, patch);
  if (updated === 'duplicate') throw duplicate(patch.title ?? current.title);
  if (!updated) throw notFound(id);
  const renamed = updated.title !== current.title ? { from: current.title, to: updated.title } : {};
  await deps.audit.record({
    actor: actor.id, action: 'quick_reply.update', target: `quick_reply:${id}`,
    details: { title: updated.title, shared: updated.ownerId === null, fields: Object.keys(patch), ...renamed },
  });
  return quickReplyView(actor, updated);
}

export async function deleteQuickReply(deps: CoreDeps, actor: Actor, id: string): Promise<void> {
  const reply = await editableReply(deps, actor, id);
  if (!(await deps.quickReplies.remove(id))) throw notFound(id);
  await deps.audit.record({ actor: actor.id, action: 'quick_reply.delete', target: `quick_reply:${id}`, details: { title: reply.title, shared: reply.ownerId === null } });
}
