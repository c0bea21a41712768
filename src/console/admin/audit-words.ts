/**
 * One audit row as a sentence (issue 14 item 6): who, a verb phrase with the object's name, and
 * the details in words. Names come from the channel and user lists the page loads; an id that
 * is not (or no longer) there is shown as it is.
 */
import type { AuditItem } from './types.js';

/** The console's translate and has-key (src/console/i18n.ts), passed in so this file stays pure. */
export interface Words {
  t: (key: string, vars?: Record<string, string | number>) => string;
  has: (key: string) => boolean;
}

export interface AuditNames {
  channels: Map<string, string>;
  users: Map<string, string>;
}

const INTERNAL_IDS = new Set(['messageId', 'draftId', 'id', 'channelId', 'fields', 'sessionsEnded']);
// issue 14 items 2, 3: a note's id says nothing to a reader (its text is never audited).
INTERNAL_IDS.add('noteId');
// issue 14 item 4: an auto-assignment says so in its verb.
INTERNAL_IDS.add('auto');

function splitTarget(target: string): { kind: string; id: string } {
  const at = target.indexOf(':');
  return at < 0 ? { kind: target, id: '' } : { kind: target.slice(0, at), id: target.slice(at + 1) };
}

export function actorName({ t }: Words, item: AuditItem, names: AuditNames): string {
  if (item.actor === 'admin-token') return t('admin.audit.adminToken');
  if (item.actor === 'system') return t('admin.audit.system');
  return names.users.get(item.actor) || item.actorEmail || item.actor;
}

export function targetName({ t }: Words, target: string, names: AuditNames): string {
  const { kind, id } = splitTarget(target);
  if (kind === 'channel') return names.channels.get(id) ?? id;
  if (kind === 'user') return id === 'unknown' ? t('audit.unknownUser') : (names.users.get(id) ?? id);
  // Conversations have no name of their own: the id's tail is enough to find it in the inbox.
  if (kind === 'conversation') return t('audit.conversation', { id: id.slice(-6) });
  // issue 14 item 1: a contact is named by its row id, as the console's 访客 n is.
  if (kind === 'contact') return t('audit.contact', { id });
  return id || kind;
}

/** The verb for a row; channel.update says which way when the row records it (details.enabled). */
function verbKey(item: AuditItem): string {
  const details = item.details ?? {};
  const fields = Array.isArray(details.fields) ? (details.fields as string[]) : [];
  if (item.action === 'channel.update' && typeof details.enabled === 'boolean' && fields.every((f) => f === 'enabled')) {
    return details.enabled ? 'audit.verb.channel.enable' : 'audit.verb.channel.disable';
  }
  if (item.action === 'channel.update' && fields.length === 1 && fields[0] === 'enabled') return 'audit.verb.channel.toggle';
  if (item.action === 'knowledge.import' && item.target.startsWith('channel:')) return 'audit.verb.knowledge.importTo';
  // issue 14 items 2, 3: taking a chat from the bot is a step-in; a transfer says to whom (and from whom, when someone else's).
  if (item.action === 'conversation.assigned' && details.from === 'bot') return 'audit.verb.conversation.stepIn';
  // issue 14 item 4: the system gave a waiting chat to the least busy online agent (details.to).
  if (item.action === 'conversation.assigned' && details.auto === true) return 'audit.verb.conversation.autoAssigned';
  if (item.action === 'conversation.transfer') {
    if (details.to === 'queue') return 'audit.verb.conversation.transferQueue';
    return details.from && details.from !== item.actor ? 'audit.verb.conversation.transferFor' : 'audit.verb.conversation.transfer';
  }
  return `audit.verb.${item.action}`;
}

export function sentence(w: Words, item: AuditItem, names: AuditNames): { actor: string; action: string } {
  const { t, has: hasKey } = w;
  const key = verbKey(item);
  const target = targetName(w, item.target, names);
  // issue 14 item 3: a transfer's people, by name.
  const person = (v: unknown) => (typeof v === 'string' ? (v === 'admin-token' ? t('admin.audit.adminToken') : names.users.get(v) ?? v) : '');
  const action = hasKey(key) ? t(key, { target, from: person(item.details?.from), to: person(item.details?.to) }) : t('audit.verb.other', { action: hasKey(`admin.audit.action.${item.action}`) ? t(`admin.audit.action.${item.action}`) : item.action, target });
  return { actor: actorName(w, item, names), action };
}

const fieldName = ({ t, has }: Words, name: string) => (has(`audit.field.${name}`) ? t(`audit.field.${name}`) : name);

function plain({ t }: Words, value: unknown): string {
  if (typeof value === 'boolean') return t(value ? 'audit.yes' : 'audit.no');
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** The details as short phrases; internal ids (message, draft) are left out. */
export function detailPhrases(w: Words, item: AuditItem): string[] {
  const { t, has: hasKey } = w;
  const d = item.details ?? {};
  const out: string[] = [];
  const fields = Array.isArray(d.fields) ? (d.fields as string[]) : [];
  const enableOnly = item.action === 'channel.update' && fields.length === 1 && fields[0] === 'enabled';
  // What a create sets is everything; an on/off row already says it in its verb.
  if (fields.length > 0 && item.action !== 'channel.create' && !enableOnly) {
    out.push(t('audit.changed', { fields: fields.map((f) => fieldName(w, f)).join(t('audit.listSep')) }));
  }
  for (const [key, value] of Object.entries(d)) {
    if (INTERNAL_IDS.has(key) || (key === 'enabled' && item.action === 'channel.update')) continue;
    // issue 14 item 3: the verb already names both people of a transfer.
    if (item.action === 'conversation.transfer' && (key === 'from' || key === 'to')) continue;
    if (key === 'ok') out.push(value ? t('audit.testOk') : t('audit.testFailed', { code: plain(w, d.code ?? '?') }));
    else if (key === 'code' && 'ok' in d) continue;
    else if (key === 'from' && item.action.startsWith('conversation.')) out.push(t('audit.fromStatus', { status: t(`status.${String(value)}`) }));
    else if (key === 'from' && 'to' in d) out.push(t('audit.fromTo', { from: plain(w, value), to: plain(w, d.to) }));
    else if (key === 'to' && 'from' in d) continue;
    else if (key === 'ip') out.push(t('audit.ip', { ip: String(value) }));
    else if (key === 'email') out.push(t('audit.email', { email: String(value) }));
    else if (key === 'reason') out.push(t('audit.reason', { reason: String(value) }));
    else if (key === 'role' && typeof value === 'string') out.push(t('audit.role', { role: t(`role.${value}`) }));
    else if (key === 'role' && value && typeof value === 'object') {
      const r = value as { from?: string; to?: string };
      out.push(t('audit.roleChange', { from: t(`role.${r.from}`), to: t(`role.${r.to}`) }));
    } else if (key === 'firstAdmin') {
      if (value) out.push(t('audit.firstAdmin'));
    } else if (key === 'disabled') out.push(t(value ? 'audit.userDisabled' : 'audit.userEnabled'));
    // issue 14 item 4: a user's capacity change, {from, to}.
    else if (key === 'capacity' && value && typeof value === 'object') out.push(t('audit.capacityChange', { from: plain(w, (value as { from?: unknown }).from ?? '—'), to: plain(w, (value as { to?: unknown }).to) }));
    else if (key === 'imported') out.push(t('audit.imported', { imported: String(value), skipped: plain(w, d.skipped ?? 0) }));
    else if (key === 'skipped' && 'imported' in d) continue;
    else if (key === 'verdict') {
      const verdict = String(value);
      out.push(t('audit.verdict', { verdict: hasKey(`feedback.${verdict}Short`) ? t(`feedback.${verdict}Short`) : verdict }));
    }
    else if (key === 'corrected') {
      if (value) out.push(t('audit.corrected'));
    } else out.push(`${fieldName(w, key)}: ${plain(w, value)}`);
  }
  if (typeof d.sessionsEnded === 'number' && d.sessionsEnded > 0) out.push(t('audit.sessionsEnded', { n: d.sessionsEnded }));
  return out;
}
