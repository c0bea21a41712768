import type { ChannelKind } from '../domain/channel.js';
import type { ConversationStatus } from '../domain/conversation.js';
import type { ContactDirectory, ContactRecord } from '../ports/contact-directory.js';
import type { Database } from './database.js';
import { toMessage, type Row } from './row-mappers.js';

/**
 * Contacts' profiles and the note agents share on them (issue 14 item 1,
 * migrations/014_contact_profile.sql), with the contact's channel and its one conversation.
 */
const PROFILE = `
SELECT ct.id, ct.external_id, ct.name, ct.created_at, ct.note, ct.note_updated_by, ct.note_updated_at,
       ch.id AS channel_id, ch.name AS channel_name, ch.kind AS channel_kind,
       cv.id AS conversation_id, cv.status AS conversation_status, cv.assignee_id AS conversation_assignee_id
FROM contacts ct
JOIN channels ch ON ch.id = ct.channel_id
LEFT JOIN conversations cv ON cv.contact_id = ct.id AND cv.channel_id = ct.channel_id
WHERE ct.id = $1`;

/**
 * The conversation's latest $2 messages, oldest first, for the visits (contact-visits.ts). An
 * assignment note (`status:…->assigned by <actor>`) names who did it, not whom it went to (issue 14
 * review: `by system` for an auto-assignment, the admin for an admin's assignment of someone else):
 * each comes with its `conversation.assigned` audit row's details.to. That row is written right
 * after the note's transaction commits, so it is the first such row of the conversation at or after
 * the note's time (a note's created_at is its transaction's start); the minute's bound keeps the
 * look-up a short range scan of audit_log_action_at_idx (017) even for a note years old.
 */
const TIMELINE = `
SELECT m.id, m.conversation_id, m.sender, m.kind, m.text, m.created_at, a.assigned_to
FROM (SELECT id, conversation_id, sender, kind, text, created_at FROM messages
      WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) m
LEFT JOIN LATERAL (
  SELECT al.details->>'to' AS assigned_to FROM audit_log al
  WHERE m.sender = 'system' AND m.text LIKE 'status:%->assigned by %'
    AND al.action = 'conversation.assigned' AND al.target = 'conversation:' || m.conversation_id
    AND al.at >= m.created_at AND al.at < m.created_at + interval '1 minute'
  ORDER BY al.at, al.id
  LIMIT 1
) a ON true
ORDER BY m.id`;

function toRecord(r: Row): ContactRecord {
  return {
    id: String(r.id),
    channel: { id: String(r.channel_id), name: String(r.channel_name), kind: r.channel_kind as ChannelKind },
    externalId: String(r.external_id),
    name: (r.name ?? null) as string | null,
    firstSeen: new Date(r.created_at as string),
    note: (r.note ?? null) as string | null,
    noteUpdatedBy: (r.note_updated_by ?? null) as string | null,
    noteUpdatedAt: r.note_updated_at == null ? null : new Date(r.note_updated_at as string),
    conversation: r.conversation_id == null ? null : {
      id: String(r.conversation_id),
      status: r.conversation_status as ConversationStatus,
      assigneeId: (r.conversation_assignee_id ?? null) as string | null,
    },
  };
}

export function createContactStore(db: Database): ContactDirectory {
  const get = async (contactId: string) => {
    const r = await db.query<Row>(PROFILE, [contactId]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  };
  return {
    get,

    async timeline(conversationId, limit) {
      const r = await db.query<Row>(TIMELINE, [conversationId, limit]);
      return r.rows.map((row) => {
        const m = toMessage(row);
        return { id: m.id, sender: m.sender, kind: m.kind, text: m.text, createdAt: m.createdAt, assignedTo: (row.assigned_to ?? null) as string | null };
      });
    },

    async saveNote(contactId, note, by) {
      const r = await db.query<Row>(
        `UPDATE contacts SET note = $2, note_updated_by = $3, note_updated_at = now() WHERE id = $1 RETURNING id`,
        [contactId, note, by],
      );
      return r.rows[0] ? get(contactId) : null;
    },
  };
}
