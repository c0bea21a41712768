import type { ChannelKind } from '../domain/channel.js';
import type { ConversationStatus } from '../domain/conversation.js';
import type { TimelineEntry } from '../domain/contact-visits.js';

/** Longest shared note on a contact (issue 14 item 1); the column's CHECK says the same (migrations/014). */
export const MAX_CONTACT_NOTE_CHARS = 2000;

/** A contact as the contact panel shows it (issue 14 item 1: "who the customer is"). */
export interface ContactRecord {
  id: string;
  channel: { id: string; name: string; kind: ChannelKind };
  externalId: string;
  name: string | null;
  /** When they first wrote (the contact row's creation). */
  firstSeen: Date;
  /** The note agents share; null when there is none. */
  note: string | null;
  noteUpdatedBy: string | null;
  noteUpdatedAt: Date | null;
  /** Their one conversation (DESIGN.md §4.4); null only for a contact that never got one. */
  conversation: { id: string; status: ConversationStatus; assigneeId: string | null } | null;
}

/** Contacts' profiles and shared notes (migrations/014_contact_profile.sql). */
export interface ContactDirectory {
  get(contactId: string): Promise<ContactRecord | null>;
  /** A conversation's messages, oldest first, at most the latest `limit`: what visits are cut from. */
  timeline(conversationId: string, limit: number): Promise<TimelineEntry[]>;
  /**
   * Sets (null: clears) the note, with who and when; last write wins. Null when the contact does
   * not exist.
   */
  saveNote(contactId: string, note: string | null, by: string): Promise<ContactRecord | null>;
}
