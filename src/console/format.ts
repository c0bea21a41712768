/** Display helpers: durations, confidence, names, and system notes such as `handoff:low_confidence`. */
import { hasKey, type T } from './i18n';
import type { DirectoryUser, Message } from './types';

export function formatDuration(totalSeconds: number, t: T): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return t('time.seconds', { n: s });
  if (s < 3600) return t('time.minutes', { n: Math.floor(s / 60) });
  if (s < 86400) return t('time.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('time.days', { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}

export function formatConfidence(value: number): string {
  return value.toFixed(2);
}

export function formatClock(iso: string, lang: string): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === new Date().toDateString();
  return sameDay
    ? at.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })
    : at.toLocaleString(lang, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function reasonText(reason: string, t: T): string {
  return hasKey(`reason.${reason}`) ? t(`reason.${reason}`) : reason;
}

export function statusText(status: string, t: T): string {
  return hasKey(`status.${status}`) ? t(`status.${status}`) : status;
}

/** A user's display name from the directory; ids such as `admin-token` or `platform:x` shown as they are. */
export function userName(id: string | null, users: DirectoryUser[]): string {
  if (!id) return '';
  const user = users.find((u) => u.id === id);
  return user ? user.name || user.email : id;
}

/** Who did something: a user's name, or 系统 for the service itself (auto-assignment, model handback). */
export function actorName(id: string, users: DirectoryUser[], t: T): string {
  return id === 'system' ? t('sender.system') : userName(id, users);
}

/**
 * The text of a system note, translated. The server writes `handoff:<reason>`,
 * `status:<from>-><to> by <actor>` (`status:bot->assigned`: an agent stepped in, issue 14 item 2),
 * `transfer:<holder>-><user id | queue> by <actor>` (issue 14 item 3), `platform:human_took_over`,
 * `platform:session_ended`, `platform:send_failed <detail>`; anything else is shown as written.
 */
export function systemNoteText(text: string, t: T, users: DirectoryUser[]): string {
  const handoff = /^handoff:(\S+)$/.exec(text);
  if (handoff) return t('event.handoff', { reason: reasonText(handoff[1], t) });
  const stepIn = /^status:bot->assigned by (.+)$/.exec(text);
  if (stepIn) return t('event.stepIn', { actor: actorName(stepIn[1], users, t) });
  const transfer = /^transfer:(.+?)->(\S+) by (.+)$/.exec(text);
  if (transfer) {
    const [, from, to, actor] = transfer;
    const name = (id: string) => actorName(id, users, t);
    if (to === 'queue') return t('event.transferQueue', { actor: name(actor) });
    if (from === actor) return t('event.transfer', { actor: name(actor), to: name(to) });
    return t('event.transferFor', { actor: name(actor), from: name(from), to: name(to) });
  }
  const status = /^status:(\w+)->(\w+) by (.+)$/.exec(text);
  if (status) return t('event.status', { from: statusText(status[1], t), to: statusText(status[2], t), actor: actorName(status[3], users, t) });
  if (text === 'platform:human_took_over') return t('event.humanTookOver');
  if (text === 'platform:session_ended') return t('event.sessionEnded');
  const failed = /^platform:send_failed ?(.*)$/.exec(text);
  if (failed) return t('event.sendFailed', { detail: failed[1] }).trim();
  return text;
}

/** Customer platform events (kind `event`: enter, leave…) are shown as notes too. */
export function customerEventText(message: Message, t: T): string {
  const name = message.text ?? 'other';
  if (hasKey(`event.customer.${name}`)) return t(`event.customer.${name}`);
  return t('event.customerEvent', { name });
}

/** One line for the queue: notes translated, media as [image], text as is. */
export function previewText(message: Message, t: T, users: DirectoryUser[]): string {
  if (message.sender === 'system') return systemNoteText(message.text ?? '', t, users);
  if (message.kind === 'event') return customerEventText(message, t);
  return message.text || t('conv.attachment', { kind: message.kind });
}

/**
 * A conversation with people but no handoff reason: an agent stepped in while the bot had it
 * (issue 14 item 2; a step-in keeps handoff_reason null). Shown as 客服主动接管.
 */
export function steppedIn(c: { status: string; handoffReason: string | null }): boolean {
  return (c.status === 'assigned' || c.status === 'queued') && !c.handoffReason;
}
