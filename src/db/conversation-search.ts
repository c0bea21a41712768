/**
 * Searching conversations (issue 14 item 1: "Search conversations by customer name, external id or
 * message text"): `GET /api/conversations?q=` combined with the other filters. A plain ILIKE
 * substring match with `%`/`_` escaped (like-pattern.ts), so it behaves the same on PostgreSQL and
 * PGlite and needs no extension (no pg_trgm); the route's limit caps the list, newest activity
 * first (conversation-queries.ts orders by updated_at). System notes and platform events are not
 * "what was said" and are not searched.
 *
 * Bounded (issue 14 review: the console searches on each debounced keystroke, and an unindexed
 * '%q%' over every message ever stored grows without end): message text is matched over the last
 * SEARCH_WINDOW_DAYS of messages only, found through messages_created_idx (005); names and external
 * ids are matched over all contacts. An older conversation is still found by who it was with.
 */
import type { Sender } from '../domain/message.js';
import type { ConversationSummary } from '../ports/conversation-store.js';
import type { Queryable } from './database.js';
import type { Row } from './row-mappers.js';

/** How far back message text is searched (README: "Search"). */
export const SEARCH_WINDOW_DAYS = 90;

const SAID = `sm.sender <> 'system' AND sm.kind <> 'event'`;
const RECENT = `sm.created_at > now() - interval '${SEARCH_WINDOW_DAYS} days'`;

/**
 * The console calls a nameless web chat visitor 访客 12 / "Visitor 12", 12 being the contact's row
 * id (contact-label.ts): an agent searches for what they see (issue 14 review). Read from the bound
 * pattern itself (`%访客 12%`; digits and these words hold nothing containsPattern escapes), so the
 * one parameter serves every branch; NULL, matching nothing, for any other search.
 */
const VISITOR_ID = (param: string) => `(regexp_match(${param}, '^%\\s*(?:访客|visitor)\\s*0*(\\d{1,19})\\s*%$', 'i'))[1]`;

/** The WHERE condition over SUMMARY's `c` and `ct`; `param` names the bound pattern ($n). */
export function searchCondition(param: string): string {
  return `(ct.name ILIKE ${param} ESCAPE '\\' OR ct.external_id ILIKE ${param} ESCAPE '\\'
    OR ct.id::text = ${VISITOR_ID(param)}
    OR c.id IN (SELECT sm.conversation_id FROM messages sm WHERE ${RECENT} AND ${SAID} AND sm.text ILIKE ${param} ESCAPE '\\'))`;
}

const LATEST_MATCHES = `
SELECT DISTINCT ON (sm.conversation_id) sm.conversation_id, sm.id, sm.sender, sm.text
FROM messages sm
WHERE sm.conversation_id = ANY($1::bigint[]) AND ${RECENT} AND ${SAID} AND sm.text ILIKE $2 ESCAPE '\\'
ORDER BY sm.conversation_id, sm.id DESC`;

/** Adds to each found conversation the latest message whose text matched (null when only the name or id did). */
export async function withMatches(db: Queryable, items: ConversationSummary[], pattern: string): Promise<ConversationSummary[]> {
  if (items.length === 0) return items;
  const r = await db.query<Row>(LATEST_MATCHES, [items.map((c) => c.id), pattern]);
  const byConversation = new Map(r.rows.map((row) => [String(row.conversation_id), row]));
  return items.map((c) => {
    const row = byConversation.get(c.id);
    return { ...c, match: row ? { messageId: String(row.id), sender: row.sender as Sender, text: String(row.text) } : null };
  });
}
