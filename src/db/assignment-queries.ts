import { SYSTEM_ACTOR } from '../domain/user.js';
import type { AssignmentStore } from '../ports/presence.js';
import type { Database } from './database.js';
import { toConversation, type Row } from './row-mappers.js';

/** Any constant: one auto-assignment at a time across every process (see ASSIGN_NEXT). */
const ASSIGNMENT_LOCK = 72_114_017;

/** The system note of an auto-assignment, in the `status:<from>-><to> by <actor>` form of moveConversation's. */
export const AUTO_ASSIGN_NOTE = `status:queued->assigned by ${SYSTEM_ACTOR}`;

/**
 * issue 14 item 4: one waiting chat of an `auto` channel to the online agent with the fewest open
 * chats below capacity (ties: the oldest last assignment, never first; then the id), in one
 * statement run right after taking ASSIGNMENT_LOCK in the same transaction. The lock serialises
 * auto-assignments of every process, and the statement starts after it is taken, so its snapshot
 * counts every assignment committed before: two handoffs at once can never both see the last free
 * place of an agent. The move itself stays conditional (queued, nobody's): an agent who took the
 * chat by hand meanwhile wins, and nothing moves.
 *
 * A chat put back in the queue by hand (unassigned: `status:assigned->queued by <agent>`, or
 * transferred there: `transfer:<holder>->queue by <actor>`) is left alone for $2 ms, and after that
 * is never offered to the agent who gave it back (`giver`), for as long as it waits (issue 14: the
 * least busy agent is usually that very agent, so it landed straight back with them). "As long as
 * it waits": only while that note is the chat's latest status, transfer or handoff note; any later
 * move (taken, closed, handed off again) ends it. Chat and agent are picked as a pair: the longest
 * waiting chat that someone other than its giver may take, so one given-back chat at the head of
 * the queue never blocks the chats behind it from its giver.
 *
 * $1: a conversation id, or null for the one waiting longest; $2: the hold (ms); $3: the system note.
 */
const ASSIGN_NEXT = `
WITH waiting AS (
  SELECT c.id, c.handed_off_at,
    CASE WHEN last.text LIKE 'status:assigned->queued by %' THEN substr(last.text, length('status:assigned->queued by ') + 1)
         WHEN last.text LIKE 'transfer:%->queue by %' THEN substring(last.text FROM '^transfer:(.*)->queue by ')
    END AS giver
  FROM conversations c JOIN channels ch ON ch.id = c.channel_id
  LEFT JOIN LATERAL (
    SELECT n.text FROM messages n
    WHERE n.conversation_id = c.id AND n.sender = 'system'
      AND (n.text LIKE 'status:%' OR n.text LIKE 'transfer:%' OR n.text LIKE 'handoff:%')
    ORDER BY n.id DESC LIMIT 1
  ) last ON true
  WHERE c.status = 'queued' AND c.assignee_id IS NULL AND ch.handoff->>'assignment' = 'auto'
    AND ($1::bigint IS NULL OR c.id = $1::bigint)
    AND NOT EXISTS (SELECT 1 FROM messages n WHERE n.conversation_id = c.id AND n.sender = 'system'
                    AND (n.text LIKE 'status:assigned->queued %' OR n.text LIKE 'transfer:%->queue by %')
                    AND n.created_at > now() - $2 * interval '1 millisecond')
), agents AS (
  SELECT u.id, load.n, u.last_assigned_at FROM users u
  CROSS JOIN LATERAL (SELECT count(*) AS n FROM conversations o WHERE o.assignee_id = u.id AND o.status = 'assigned') load
  WHERE u.presence = 'online' AND NOT u.disabled AND u.role IN ('agent', 'admin') AND load.n < u.capacity
    AND EXISTS (SELECT 1 FROM waiting)
), pick AS (
  SELECT w.id AS conversation_id, a.id AS agent_id
  FROM waiting w
  CROSS JOIN LATERAL (
    SELECT a.id FROM agents a WHERE a.id IS DISTINCT FROM w.giver
    ORDER BY a.n, a.last_assigned_at NULLS FIRST, a.id
    LIMIT 1
  ) a
  ORDER BY w.handed_off_at NULLS LAST, w.id
  LIMIT 1
), moved AS (
  UPDATE conversations c SET status = 'assigned', assignee_id = pick.agent_id, updated_at = now()
  FROM pick
  WHERE c.id = pick.conversation_id AND c.status = 'queued' AND c.assignee_id IS NULL
  RETURNING c.*
), note AS (
  INSERT INTO messages (conversation_id, channel_id, sender, kind, text, status)
  SELECT id, channel_id, 'system', 'text', $3, 'done' FROM moved
), stamp AS (
  UPDATE users u SET last_assigned_at = now() FROM moved WHERE u.id = moved.assignee_id
)
SELECT * FROM moved`;

export function createAssignmentQueries(db: Database): AssignmentStore {
  return {
    async assignNext(conversationId, requeueHoldMs) {
      const rows = await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [ASSIGNMENT_LOCK]);
        return (await tx.query<Row>(ASSIGN_NEXT, [conversationId, requeueHoldMs, AUTO_ASSIGN_NOTE])).rows;
      });
      const row = rows[0];
      return row ? { conversation: toConversation(row), assigneeId: String(row.assignee_id) } : null;
    },
  };
}
