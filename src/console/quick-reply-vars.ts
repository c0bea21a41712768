/**
 * Quick replies in the reply box (issue 14 item 3), as pure functions: where a `/` search starts,
 * which replies match it, and the text once one is inserted with its variables expanded. The
 * agent sees the final text before sending: nothing is expanded on the server.
 */

/** What the variables stand for in the conversation at hand. */
export interface QuickReplyContext {
  /**
   * What `{客户}` says to the customer (customerAddress): their real name, else a polite address.
   * Never the console's internal label (访客 n, a shortened platform id): the text is sent to them.
   */
  customer: string;
  /** The signed-in agent's name. */
  agent: string;
  /** The channel's name. */
  channel: string;
}

/** Both languages' names of each variable; an admin writes whichever they think in. */
const VARIABLES: Record<string, keyof QuickReplyContext> = {
  客户: 'customer',
  customer: 'customer',
  客服: 'agent',
  agent: 'agent',
  渠道: 'channel',
  channel: 'channel',
};

/** The variables as the management page lists them, zh-CN name first. */
export const QUICK_REPLY_VARIABLES: ReadonlyArray<{ zh: string; en: string; key: keyof QuickReplyContext }> = [
  { zh: '{客户}', en: '{customer}', key: 'customer' },
  { zh: '{客服}', en: '{agent}', key: 'agent' },
  { zh: '{渠道}', en: '{channel}', key: 'channel' },
];

/**
 * The value of `{客户}` / `{customer}` (issue 14 review): the contact's name when a platform or the
 * shop's page gave one, else `polite` (亲 in zh-CN, "there" in English: "亲您好", "Hi there"). The
 * console calls a nameless customer 访客 12 or Sms0X8…cJjAYgp, but those are our labels, and a
 * quick reply goes to the customer: "访客 12您好" would show them an internal row id.
 */
export function customerAddress(name: string | null | undefined, polite: string): string {
  return name?.trim() || polite;
}

/**
 * `{客户}` / `{customer}` → the customer's name (customerAddress), `{客服}` / `{agent}` → the agent's, `{渠道}` /
 * `{channel}` → the channel's (English names in any case). An unknown `{…}`, or a variable whose
 * value is empty, is left as typed, so the agent sees there is something to fill in.
 */
export function expandQuickReply(text: string, context: QuickReplyContext): string {
  return text.replace(/\{([^{}\s]{1,20})\}/g, (whole, name: string) => {
    const key = VARIABLES[name] ?? VARIABLES[name.toLowerCase()];
    const value = key ? context[key].trim() : '';
    return value || whole;
  });
}

/** An open `/` search: where its slash is, and what was typed after it. */
export interface SlashSearch {
  start: number;
  query: string;
}

/**
 * The `/` search the caret is in: a slash at the start of the box or after whitespace, followed
 * by no whitespace up to the caret. `https://…` or `1/2` never open it.
 */
export function slashSearchAt(text: string, caret: number): SlashSearch | null {
  const before = text.slice(0, caret);
  const match = /(?:^|\s)\/(\S*)$/.exec(before);
  if (!match) return null;
  return { start: caret - match[1].length - 1, query: match[1] };
}

export interface QuickReplyLike {
  title: string;
  text: string;
}

/** Titles and texts containing the query, case-insensitively; title matches first, the rest in list order. */
export function filterQuickReplies<R extends QuickReplyLike>(replies: readonly R[], query: string): R[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...replies];
  const byTitle = replies.filter((r) => r.title.toLowerCase().includes(q));
  const byText = replies.filter((r) => !r.title.toLowerCase().includes(q) && r.text.toLowerCase().includes(q));
  return [...byTitle, ...byText];
}

/** The box after inserting `replacement` in place of the `/query` at `search`, and where the caret goes. */
export function insertQuickReply(text: string, search: SlashSearch, caret: number, replacement: string): { text: string; caret: number } {
  const next = text.slice(0, search.start) + replacement + text.slice(caret);
  return { text: next, caret: search.start + replacement.length };
}
