/**
 * The piece of a matching message a search result shows (issue 14 item 1: "results show which
 * message matched (a snippet) when it was the text"): the hit with a little context each side,
 * cut at characters (not UTF-16 halves), with … where text was left out. Case-insensitive, like
 * the server's ILIKE.
 */
export interface Snippet {
  before: string;
  hit: string;
  after: string;
}

export function snippetOf(text: string, query: string, context = 16): Snippet {
  const flat = text.replace(/\s+/g, ' ').trim();
  const q = query.trim();
  // Lowercasing that changes a length (İ → i̇) would misplace the hit: search as written then.
  const lower = flat.toLowerCase();
  const at = !q ? -1 : lower.length === flat.length ? lower.indexOf(q.toLowerCase()) : flat.indexOf(q);
  if (at < 0) {
    // Matched in a way the browser's lowercasing does not see (rare scripts): show the start.
    const chars = [...flat];
    return { before: chars.length > context * 3 ? `${chars.slice(0, context * 3).join('')}…` : flat, hit: '', after: '' };
  }
  const head = [...flat.slice(0, at)];
  const tail = [...flat.slice(at + q.length)];
  return {
    before: head.length > context ? `…${head.slice(-context).join('')}` : head.join(''),
    hit: flat.slice(at, at + q.length),
    after: tail.length > context * 2 ? `${tail.slice(0, context * 2).join('')}…` : tail.join(''),
  };
}
