/**
 * Internal notes inside a conversation (issue 14 item 2): agents write them for each other; they
 * are never sent. Stored apart from messages (migrations/015_conversation_notes.sql), so nothing
 * that reads messages (outbox, model history, training export, web chat) can ever pick one up.
 */

/** 'note': written in the conversation; 'transfer': given with a transfer (issue 14 item 3), shown as 转交备注. */
export type NoteKind = 'note' | 'transfer';

export interface ConversationNote {
  id: string;
  conversationId: string;
  /** A user id, or `admin-token` for the ADMIN_TOKEN bearer. */
  authorId: string;
  kind: NoteKind;
  text: string;
  createdAt: Date;
}

export interface NewNote {
  conversationId: string;
  authorId: string;
  kind: NoteKind;
  text: string;
}

export interface ConversationNotes {
  /** Adds a note; null when the conversation does not exist. */
  add(note: NewNote): Promise<ConversationNote | null>;
  /** The conversation's notes, oldest first (at most `limit`, the newest ones). */
  list(conversationId: string, limit: number): Promise<ConversationNote[]>;
}
