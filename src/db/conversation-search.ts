/**
 * Searching conversations (issue 14 item 1: "Search conversations by customer name, external id or
 * message text"): `GET /api/conversations?q=` combined with the other filters. A plain ILIKE
 * substring match with `%`/`_` escaped (like-pattern.ts), so it behaves the same on PostgreSQL and
 * PGlite and needs no extension; the list is capped by the route's limit. System notes and
 * platform events are not "what was said" and are not searched.
 */
import type { Sender } from '../domain/message.js';
import type { ConversationSummary } from '../ports/conversation-store.js';
import type { Queryable } from './database.js';
import type { Row } from './row-mappers.js';

const SAID = `sm.sender <> 'system' AND sm.kind <> 'event'`;

/** The WHERE condition over SUMMARY's `c` and `ct`; `param` names the bound pattern ($n). */
export function searchCondition(param: string): string {
  return `(ct.name ILIKE ${param} ESCAPE '\\' OR ct.external_id ILIKE ${param} ESCAPE '\\'
    OR EXISTS (SELECT 1 FROM messages sm WHERE sm.conversation_id = c.id AND ${SAID} AND sm.text ILIKE ${param} ESCAPE '\\'))`;
}

const LATEST_MATCHES = `
SELECT DISTINCT ON (sm.conversation_id) sm.conversation_id, sm.id, sm.sender, sm.text
FROM messages sm
WHERE sm.conversation_id = ANY($1::bigint[]) AND ${SAID} AND sm.text ILIKE $2 ESCAPE '\\'
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
