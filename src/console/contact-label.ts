/**
 * What the console calls a customer (issue 14 item 1: "Customers appear as raw ids"): their name
 * when a platform gave one (WeCom contact API, 微信客服 nickname, DingTalk senderNick, a name the
 * embedding page passed), else 访客 n for a web chat visitor (n: the contact's row id, short,
 * stable and unique), else the platform id, shortened. Used by the queue, the conversation
 * header, the contact panel and anyone else who names a customer.
 */
/** The console's `t` (i18n.ts), as a type of its own so node's tests can import this file as is. */
type T = (key: string, vars?: Record<string, string | number>) => string;

export interface LabelledContact {
  id: string;
  externalId: string;
  name: string | null;
  /** The kind of the contact's channel; servers before issue 14 omit it. */
  channelKind?: string | null;
}

/** Ids longer than this are shown as their head and tail: `Sms0X8…cJjAYgp`. */
const MAX_ID_CHARS = 16;

export function shortExternalId(externalId: string): string {
  const chars = [...externalId];
  return chars.length <= MAX_ID_CHARS ? externalId : `${chars.slice(0, 6).join('')}…${chars.slice(-6).join('')}`;
}

export function contactLabel(contact: LabelledContact, t: T): string {
  const name = contact.name?.trim();
  if (name) return name;
  if (contact.channelKind === 'webchat') return t('contact.visitor', { n: contact.id });
  return shortExternalId(contact.externalId);
}
